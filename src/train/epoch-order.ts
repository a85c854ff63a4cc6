// Epochs over a finite set in a new seeded order each time: the order fine-tuning sources draw
// examples in (instruction examples, preference pairs, GRPO prompts). Resumable: its state (the
// generator's, the order, the position) goes into a checkpoint, so a resumed run sees the same
// examples in the same order.

import { Rng, type RngState } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';

export interface EpochOrderState {
  rng: RngState;
  order: number[];
  pos: number;
}

export class EpochOrder {
  private rng: Rng;
  private order: number[] = [];
  private pos = 0;

  constructor(
    private readonly n: number,
    seed = 0,
    what = 'data',
  ) {
    if (n === 0) throw new LlmfsError(`${what}: the training set is empty`);
    this.rng = new Rng(seed);
  }

  private shuffle(): void {
    // Fisher-Yates with the seeded generator.
    this.order = Array.from({ length: this.n }, (_, i) => i);
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = this.rng.randint(0, i + 1);
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
    this.pos = 0;
  }

  /** The next index; a new epoch (a new order) starts when one ends. */
  next(): number {
    if (this.pos >= this.order.length) this.shuffle();
    return this.order[this.pos++];
  }

  /** The next `k` indices. */
  take(k: number): number[] {
    return Array.from({ length: k }, () => this.next());
  }

  getState(): EpochOrderState {
    return { rng: this.rng.getState(), order: [...this.order], pos: this.pos };
  }

  setState(s: EpochOrderState): void {
    this.rng.setState(s.rng);
    this.order = [...s.order];
    this.pos = s.pos;
  }
}
