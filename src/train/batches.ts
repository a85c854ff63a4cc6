// Batch sources: what the training loop draws its micro-batches from. Any iterable of
// `{ x, y, mask? }` batches drives the same loop (schedule, clipping, accumulation, evaluation,
// checkpoints, NaN stop): the token sampler for pre-training, a generator of prompt/answer pairs
// for fine-tuning, a fixed list for an exercise. A mask (B, T) keeps a position in the loss
// where it is 1 and drops it where it is 0; the loss is the mean over the kept positions:
//   L = -(1 / Σ m) Σ_{b,t} m[b,t] log p(y[b,t] | x[b, ≤t])

import { Tensor } from '../tensor/tensor.js';
import { fmtShape, sameShape } from '../tensor/shape.js';
import { LlmfsError } from '../errors.js';
import type { Batch } from './data.js';

/** Where training batches come from: an endless or finite iterable (a generator, an array, a sampler). */
export type BatchSource = Iterable<Batch> | Iterator<Batch>;

/** A source that can save and restore its position, so a resumed run sees the same batches. */
export interface ResumableSource {
  getState(): unknown;
  setState(state: unknown): void;
}

export function isResumable(s: unknown): s is ResumableSource {
  const r = s as Partial<ResumableSource> | null;
  return typeof r?.getState === 'function' && typeof r.setState === 'function';
}

/** An iterator over the source (the source itself, if it already is one). */
export function batchIterator(source: BatchSource): Iterator<Batch> {
  if (typeof (source as Iterable<Batch>)[Symbol.iterator] === 'function') {
    return (source as Iterable<Batch>)[Symbol.iterator]();
  }
  if (typeof (source as Iterator<Batch>).next === 'function') return source as Iterator<Batch>;
  throw new LlmfsError('train: the batch source must be an iterable or iterator of { x, y, mask? } batches');
}

/** The cross-entropy ignore index (see tensor/ops/loss.ts): a target the loss skips. */
export const IGNORE_INDEX = -100;

/** y with every position whose mask is 0 set to IGNORE_INDEX; checks the batch's shapes first. */
export function maskedTargets(b: Batch): Tensor {
  if (b.x.ndim !== 2 || !sameShape(b.x.shape, b.y.shape)) {
    const [xs, ys] = [fmtShape(b.x.shape), fmtShape(b.y.shape)];
    throw new LlmfsError(`batch: x and y must both be (B, T), got ${xs} and ${ys}`);
  }
  if (!b.mask) return b.y;
  if (!sameShape(b.mask.shape, b.y.shape)) {
    const [ys, ms] = [fmtShape(b.y.shape), fmtShape(b.mask.shape)];
    throw new LlmfsError(`batch: mask must have the targets' shape ${ys}, got ${ms}`);
  }
  const y = new Float32Array(b.y.size);
  let kept = 0;
  for (let i = 0; i < y.length; i++) {
    const m = b.mask.data[i];
    if (m !== 0 && m !== 1) throw new LlmfsError(`batch: mask values must be 0 or 1, got ${m} at index ${i}`);
    y[i] = m === 1 ? b.y.data[i] : IGNORE_INDEX;
    kept += m;
  }
  if (kept === 0) throw new LlmfsError('batch: the mask is 0 everywhere: no position left to average');
  return new Tensor(y, b.y.shape);
}
