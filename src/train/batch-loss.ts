// The loss of one batch (mean next-token cross-entropy over the positions its mask keeps) and
// the mean loss over fixed batches that each evaluation reports, computed without a graph, in eval
// mode, in a buffer arena kept per model.

import type { GPT } from '../model/gpt.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';
import { BufferArena } from '../tensor/arena.js';
import { BatchSampler, type Batch, type TokenArray } from './data.js';
import { maskedTargets } from './batches.js';
import type { TrainConfig } from './config.js';

/** The loss of one batch: mean cross-entropy over the positions the mask keeps (all, without one). */
export function batchLoss(model: GPT, b: Batch): Tensor {
  return model.forward(b.x, { targets: maskedTargets(b) }).loss!;
}

/**
 * One arena for training steps and one for evaluation per model, kept for the model's life (its
 * buffers live in wasm memory on the fast backend) and released when the model is disposed.
 */
const arenas = new WeakMap<GPT, { train: BufferArena; eval: BufferArena }>();
export function arenasOf(model: GPT): { train: BufferArena; eval: BufferArena } {
  let a = arenas.get(model);
  if (!a) {
    const made = (a = { train: new BufferArena(), eval: new BufferArena() });
    arenas.set(model, made);
    model.onDispose(() => {
      made.train.dispose();
      made.eval.dispose();
      arenas.delete(model);
    });
  }
  return a;
}

/** Mean loss over fixed batches, without recording a graph, in eval mode (no dropout). */
export function meanLoss(
  model: GPT,
  batches: Iterable<Batch>,
  loss: (model: GPT, batch: Batch) => Tensor = batchLoss,
  onBatch?: () => void,
): number {
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let n = 0;
  const arena = arenasOf(model).eval;
  noGrad(() => {
    for (const b of batches) {
      total += arena.run(() => loss(model, b).item());
      n++;
      onBatch?.();
    }
  });
  model.train(wasTraining);
  return n === 0 ? NaN : total / n;
}

/** Mean loss over `batches` fixed batches of a token array (the same ones at every evaluation). */
export function estimateLoss(
  model: GPT,
  tokens: TokenArray,
  c: TrainConfig,
  blockSize: number,
  onBatch?: () => void,
): number {
  if (tokens.length < blockSize + 1) return NaN;
  const sampler = new BatchSampler(tokens, blockSize, c.batchSize, c.seed + 1_000_003);
  return meanLoss(
    model,
    Array.from({ length: c.evalBatches }, () => sampler.next()),
    batchLoss,
    onBatch,
  );
}
