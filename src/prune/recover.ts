// A short fine-tune after pruning, to recover the loss that pruning cost (Han et al., 2015: prune,
// then retrain the surviving connections). Plain next-token training with AdamW on random windows;
// after each optimizer step the masks are applied again (w ← w ⊙ m), so a pruned weight stays 0.
// The structured pruners need no masks: the removed rows and columns no longer exist.

import type { GPT } from '../model/gpt.js';
import { AdamW } from '../train/adamw.js';
import { decayGroups } from '../train/param-groups.js';
import { clipGradNorm } from '../train/clip.js';
import { BatchSampler, type TokenArray } from '../train/data.js';
import { LlmfsError } from '../errors.js';
import { applyMasks, type PruneMasks } from './masks.js';

export interface RecoverOptions {
  steps: number;
  /** Windows per step (default 8). */
  batchSize?: number;
  /** Constant learning rate (default 1e-4: where the base run's schedule ended; it repairs, not retrains). */
  lr?: number;
  weightDecay?: number;
  seed?: number;
  /** Called after each step with its loss. */
  onStep?: (step: number, loss: number) => void;
}

/** Fine-tunes `model` in place on `tokens`; returns each step's training loss. */
export function recoverFineTune(
  model: GPT,
  tokens: TokenArray,
  masks: PruneMasks | null,
  o: RecoverOptions,
): number[] {
  if (!(Number.isInteger(o.steps) && o.steps >= 0))
    throw new LlmfsError(`prune: recovery steps must be a whole number >= 0, got ${o.steps}`);
  if (o.steps === 0) return [];
  const B = o.batchSize ?? 8;
  if (!(Number.isInteger(B) && B >= 1)) throw new LlmfsError(`prune: batch size must be >= 1, got ${B}`);
  const T = model.config.blockSize;
  const sampler = new BatchSampler(tokens, T, B, o.seed ?? 1337, 'prune --data');
  const opt = new AdamW(decayGroups(model, o.weightDecay ?? 0.1), { lr: o.lr ?? 1e-4, betas: [0.9, 0.99] });
  const params = model.parameters();
  const losses: number[] = [];
  model.train();
  for (let step = 1; step <= o.steps; step++) {
    const b = sampler.next(); // x, y (B, T)
    const { loss } = model.forward(b.x, { targets: b.y });
    loss!.backward();
    clipGradNorm(params, 1);
    opt.step();
    opt.zeroGrad();
    if (masks) applyMasks(model, masks); // pruned weights back to exactly 0
    const l = loss!.item();
    losses.push(l);
    o.onStep?.(step, l);
  }
  model.eval();
  return losses;
}
