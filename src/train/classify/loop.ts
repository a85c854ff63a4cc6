// The classification fine-tuning loop (rasbt's LLMs-from-scratch ch. 6, train_classifier_simple):
// for each epoch, for each batch: logits = head(GPT(ids))[last real token] (B, K), loss =
// cross-entropy, backward, clip the global gradient norm, AdamW step on the trainable parameters.
// After every epoch: loss and accuracy on the validation split, and the seconds the epoch took.

import { noGrad, isGradEnabled } from '../../tensor/autograd.js';
import { BufferArena } from '../../tensor/arena.js';
import { Rng } from '../../tensor/rng.js';
import { AdamW } from '../adamw.js';
import { decayGroups } from '../param-groups.js';
import { clipGradNorm } from '../clip.js';
import { LlmfsError } from '../../errors.js';
import type { GPTClassifier } from './head.js';
import { epochBatches, evalBatches, type ClassBatch, type EncodedExample } from './batches.js';
import { classMetrics, type ClassMetrics } from './metrics.js';

export interface ClassifyTrainConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0: no clipping). */
  gradClip: number;
  /** Draw every class equally often instead of shuffling the examples. */
  balanced: boolean;
  seed: number;
  /** Token id used for right padding (never read: the head looks at the last real token). */
  padId: number;
}

export const CLASSIFY_DEFAULTS: ClassifyTrainConfig = {
  epochs: 3,
  batchSize: 8,
  lr: 5e-5,
  weightDecay: 0.1,
  gradClip: 1,
  balanced: false,
  seed: 123,
  padId: 0,
};

export interface EpochInfo {
  epoch: number; // 1-based
  trainLoss: number; // mean over the epoch's batches
  trainAccuracy: number; // on the batches as they were trained (dropout on)
  val: { loss: number; accuracy: number } | null;
  seconds: number; // training time of the epoch, evaluation excluded
}

export interface ClassifyCallbacks {
  onEpoch?(info: EpochInfo): void;
  onBatch?(done: number, total: number, loss: number): void;
}

/** Predictions and mean loss over fixed batches, without a graph, in eval mode. */
export function predict(
  clf: GPTClassifier,
  batches: readonly ClassBatch[],
  arena = new BufferArena(),
): { predicted: number[]; probs: number[][]; loss: number } {
  const wasTraining = clf.training;
  clf.eval();
  const predicted: number[] = [];
  const probs: number[][] = [];
  let total = 0;
  let n = 0;
  noGrad(() => {
    for (const b of batches) {
      arena.run(() => {
        const { logits, loss } = clf.loss(b.idx, b.lengths, b.labels); // (B, K)
        const p = logits.softmax(-1); // (B, K)
        const K = logits.shape[1];
        for (let i = 0; i < b.lengths.length; i++) {
          const row = Array.from(p.data.subarray(i * K, (i + 1) * K));
          probs.push(row);
          predicted.push(row.indexOf(Math.max(...row)));
        }
        total += loss.item() * b.lengths.length;
        n += b.lengths.length;
      });
    }
  });
  clf.train(wasTraining);
  return { predicted, probs, loss: n > 0 ? total / n : NaN };
}

/** Accuracy, precision, recall and the confusion matrix of `clf` on `examples`. */
export function evaluate(
  clf: GPTClassifier,
  examples: readonly EncodedExample[],
  batchSize: number,
  padId: number,
): ClassMetrics & { loss: number } {
  const r = predict(clf, evalBatches(examples, batchSize, padId));
  const m = classMetrics(
    clf.labels,
    examples.map((e) => e.label),
    r.predicted,
  );
  return { ...m, loss: r.loss };
}

export interface ClassifyTrainResult {
  epochs: EpochInfo[];
  secondsPerEpoch: number;
}

export function trainClassifier(
  clf: GPTClassifier,
  data: { train: readonly EncodedExample[]; val?: readonly EncodedExample[] | null },
  config: Partial<ClassifyTrainConfig> = {},
  cb: ClassifyCallbacks = {},
): ClassifyTrainResult {
  if (!isGradEnabled()) throw new LlmfsError('classify: trainClassifier called inside noGrad');
  const c = { ...CLASSIFY_DEFAULTS, ...config };
  if (!(Number.isInteger(c.epochs) && c.epochs >= 1))
    throw new LlmfsError(`classify: epochs must be >= 1, got ${c.epochs}`);
  if (!(Number.isInteger(c.batchSize) && c.batchSize >= 1))
    throw new LlmfsError(`classify: batch size must be >= 1, got ${c.batchSize}`);
  if (data.train.length === 0) throw new LlmfsError('classify: empty training set');
  const groups = decayGroups(clf, c.weightDecay);
  if (groups.length === 0) throw new LlmfsError('classify: every parameter is frozen; nothing to train');
  const opt = new AdamW(groups, { lr: c.lr, weightDecay: c.weightDecay });
  const params = clf.trainableParameters().map(([, p]) => p);
  const rng = new Rng(c.seed);
  const arena = new BufferArena();
  const epochs: EpochInfo[] = [];
  try {
    for (let epoch = 1; epoch <= c.epochs; epoch++) {
      clf.train();
      const batches = epochBatches(data.train, c.batchSize, c.padId, rng, c.balanced);
      const t0 = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      batches.forEach((b, i) => {
        opt.zeroGrad();
        const loss = arena.run(() => {
          const { logits, loss } = clf.loss(b.idx, b.lengths, b.labels);
          loss.backward();
          const K = logits.shape[1];
          b.labels.forEach((t, r) => {
            const row = Array.from(logits.data.subarray(r * K, (r + 1) * K));
            if (row.indexOf(Math.max(...row)) === t) correct++;
          });
          return loss.item();
        });
        if (!Number.isFinite(loss))
          throw new LlmfsError(
            `classify: the loss became ${loss} at epoch ${epoch}, batch ${i + 1}; lower --lr`,
          );
        if (c.gradClip > 0) clipGradNorm(params, c.gradClip);
        opt.step();
        lossSum += loss * b.lengths.length;
        seen += b.lengths.length;
        cb.onBatch?.(i + 1, batches.length, loss);
      });
      const seconds = (performance.now() - t0) / 1000;
      const v = data.val && data.val.length > 0 ? evaluate(clf, data.val, c.batchSize, c.padId) : null;
      const info: EpochInfo = {
        epoch,
        trainLoss: lossSum / seen,
        trainAccuracy: correct / seen,
        val: v && { loss: v.loss, accuracy: v.accuracy },
        seconds,
      };
      epochs.push(info);
      cb.onEpoch?.(info);
    }
  } finally {
    opt.dispose();
    arena.dispose();
  }
  clf.eval();
  return { epochs, secondsPerEpoch: epochs.reduce((s, e) => s + e.seconds, 0) / epochs.length };
}
