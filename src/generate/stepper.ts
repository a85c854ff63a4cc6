// The decoding loop's engine: keeps the token rows, feeds only the new tokens through the KV
// cache (or, without a cache, the whole window every step), and enforces the context window.
// Overflow: 'error' stops with a clear message; 'slide' keeps the last `keep` tokens. Positions
// are absolute (learned table or RoPE angles), so after a slide every cached key sits at the wrong
// position: the cache is cleared and rebuilt from the window, exactly as an uncached pass sees it.

import { tensor } from '../tensor/creation.js';
import { noGrad } from '../tensor/autograd.js';
import type { CausalLm, LmCache } from './lm.js';
import { LlmfsError } from '../errors.js';

export type OverflowPolicy = 'error' | 'slide';

export interface StepperOptions {
  /** Use the KV cache (default true). Without it every step recomputes the whole window. */
  useCache?: boolean;
  /** What to do when the sequence outgrows the context window (default 'error'). */
  overflow?: OverflowPolicy;
  /**
   * Tokens kept after a slide (default: the context size, so the window moves one token per
   * step, as nanoGPT's idx[:, -block_size:]; then every step past the window is a full pass).
   * A smaller value rebuilds the cache less often, at the price of a shorter context after a slide.
   */
  keep?: number;
}

export class Stepper<C extends LmCache = LmCache> {
  /** The token rows (equal lengths). */
  rows: number[][] = [];
  /** Index of the first token inside the context window. */
  windowStart = 0;
  /** Forward passes that rebuilt the cache after a slide. */
  rebuilds = 0;
  readonly cache: C | null;
  readonly overflow: OverflowPolicy;
  readonly keep: number;

  constructor(
    readonly lm: CausalLm<C>,
    o: StepperOptions = {},
  ) {
    this.cache = (o.useCache ?? true) ? lm.newCache() : null;
    this.overflow = o.overflow ?? 'error';
    if (this.overflow !== 'error' && this.overflow !== 'slide')
      throw new LlmfsError(`generate: overflow must be 'error' or 'slide', got '${String(this.overflow)}'`);
    this.keep = o.keep ?? lm.contextSize;
    if (!Number.isInteger(this.keep) || this.keep < 1 || this.keep > lm.contextSize) {
      throw new LlmfsError(`generate: keep must be an integer in [1, ${lm.contextSize}], got ${this.keep}`);
    }
  }

  /** Starts from prompts of equal length; returns each row's next-token logits (V floats). */
  start(prompts: readonly (readonly number[])[]): Float32Array[] {
    if (prompts.length === 0 || prompts[0].length === 0)
      throw new LlmfsError('generate: the prompt is empty; give at least one token');
    if (prompts.some((p) => p.length !== prompts[0].length))
      throw new LlmfsError('generate: prompts in one batch must have equal lengths');
    this.rows = prompts.map((p) => [...p]);
    this.windowStart = 0;
    this.cache?.clear();
    return this.run();
  }

  /** Appends next[r] to row r and returns the new next-token logits of every row. */
  append(next: readonly number[]): Float32Array[] {
    if (next.length !== this.rows.length)
      throw new LlmfsError(`generate: ${next.length} tokens for ${this.rows.length} rows`);
    this.rows.forEach((r, i) => r.push(next[i]));
    return this.run();
  }

  /** Row rows[i] becomes row i, in the token rows and in the cache (beam search). */
  select(rows: readonly number[]): void {
    this.rows = rows.map((r) => [...this.rows[r]]);
    this.cache?.selectRows(rows);
  }

  private run(): Float32Array[] {
    const n = this.rows[0].length;
    const C = this.lm.contextSize;
    if (n - this.windowStart > C) {
      if (this.overflow === 'error') {
        throw new LlmfsError(
          `generate: ${n} tokens exceed the model's context window of ${C}; use a shorter prompt, fewer ` +
            `new tokens, or the 'slide' overflow policy (--overflow slide)`,
        );
      }
      this.windowStart = n - this.keep;
      if (this.cache && this.cache.length > 0) {
        this.cache.clear(); // positions shifted: rebuild from the window
        this.rebuilds++;
      }
    }
    const from = this.windowStart + (this.cache ? this.cache.length : 0);
    const ids = tensor(this.rows.map((r) => r.slice(from))); // (B, T)
    const logits = noGrad(() => this.lm.forward(ids, this.cache)); // (B, T, V)
    const [B, T, V] = logits.shape;
    const out: Float32Array[] = [];
    for (let b = 0; b < B; b++)
      out.push(Float32Array.from(logits.data.subarray((b * T + T - 1) * V, (b * T + T) * V)));
    return out;
  }
}
