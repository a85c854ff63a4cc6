// How much memory a training run needs, estimated from its configuration before anything is
// allocated, so a run too large for the machine is refused with the figure and a batch size that
// fits, instead of dying in an allocation (`RangeError: WebAssembly.Memory.grow()`) minutes in.
//
// The estimate, in float32 (4 bytes each), with P parameters, B = batchSize, T = blockSize,
// C = nEmbd, H = mlpHidden, L = nLayer, V = vocabSize:
//   parameters        P                       (a tied head counted once: gptParameterCount)
//   gradients         P                       (trainable parameters; frozen ones have none)
//   optimizer state   2P for Adam/AdamW (first and second moments), P for SGD with momentum
//   activations       B·T·(L·(32C + 8H + [4H for SwiGLU]) + 5V)   one micro-batch, forward and
//                     backward: every intermediate of the step stays in the step's buffer arena
//                     until the step ends; gradAccum runs micro-batches one after another, so it
//                     does not multiply this. Attention is fused (no T×T matrix is kept), so there
//                     is no T² term. 5V: logits, their log-softmax and their gradients.
//   evaluation        B·T·(L·(6C + 4H) + 2V)   the forward-only arena evaluation keeps
// The activation coefficients were measured (test/cli/memory-plan.test.ts): the summed buffers of
// one step of the GPT-2 layout (H = 4C) come within about 10% of these figures; other layouts
// (GQA's narrower keys and values, RMSNorm, no bias) need less, so the estimate errs high.

import { LlmfsError } from '../errors.js';
import type { GPTConfig, GPTConfigInput } from '../model/config.js';
import { gptConfig } from '../model/config.js';
import { gptParameterCount } from '../model/param-shapes.js';

export interface MemoryPlanOptions {
  /** Sequences per micro-batch (B). */
  batchSize: number;
  /** Micro-batches per optimizer step (does not change the peak; recorded for messages). */
  gradAccum?: number;
  /** Tokens per sequence (T); default: the model's blockSize. */
  blockSize?: number;
  /** 'adamw' and 'adam' keep two moments per parameter, 'sgd' one (momentum) or none. */
  optimizer?: 'adamw' | 'adam' | 'sgd';
  /** SGD momentum (0: no state). */
  momentum?: number;
  /** Parameters that are frozen (no gradient, no optimizer state); default 0. */
  frozenParameters?: number;
}

export interface MemoryEstimate {
  parameters: number;
  gradients: number;
  optimizer: number;
  activations: number;
  evaluation: number;
  /** The sum of the above, in bytes. */
  total: number;
  /** Bytes that grow with each sequence of the batch (activations + evaluation per sequence). */
  perSequence: number;
}

const FLOAT = 4;

/** The bytes a training run of `model` with these settings needs, by part (see the header). */
export function estimateTrainingMemory(
  model: GPTConfigInput | GPTConfig,
  o: MemoryPlanOptions,
): MemoryEstimate {
  const c = gptConfig(model);
  const T = o.blockSize ?? c.blockSize;
  const P = gptParameterCount(c);
  const trainable = P - (o.frozenParameters ?? 0);
  const moments =
    (o.optimizer ?? 'adamw') === 'sgd' ? ((o.momentum ?? 0) > 0 ? trainable : 0) : 2 * trainable;
  // A mixture of experts runs k expert MLPs per token (moe.ts): k times the hidden activations.
  const H = c.mlpHidden * (c.moeExperts > 0 ? c.moeTopK : 1);
  const C = c.nEmbd;
  const perTokenTrain = c.nLayer * (32 * C + 8 * H + (c.mlp === 'swiglu' ? 4 * H : 0)) + 5 * c.vocabSize;
  const perTokenEval = c.nLayer * (6 * C + 4 * H) + 2 * c.vocabSize;
  const perSequence = T * (perTokenTrain + perTokenEval) * FLOAT;
  const e = {
    parameters: P * FLOAT,
    gradients: trainable * FLOAT,
    optimizer: moments * FLOAT,
    activations: o.batchSize * T * perTokenTrain * FLOAT,
    evaluation: o.batchSize * T * perTokenEval * FLOAT,
  };
  const total = e.parameters + e.gradients + e.optimizer + e.activations + e.evaluation;
  return { ...e, total, perSequence };
}

/** Bytes as a person reads them: 512 MB, 41.3 GB. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)} ${units[i]}`;
}

/**
 * The largest batch size whose estimate fits `budgetBytes` (0 when not even one sequence does).
 */
export function largestBatchThatFits(
  model: GPTConfigInput | GPTConfig,
  o: MemoryPlanOptions,
  budgetBytes: number,
): number {
  const one = estimateTrainingMemory(model, { ...o, batchSize: 1 });
  const fixed = one.total - one.perSequence;
  return Math.max(0, Math.floor((budgetBytes - fixed) / one.perSequence));
}

/**
 * Throws one LlmfsError line when the run's estimate exceeds `budgetBytes` (for example 80% of
 * the machine's memory): the figure, what it is made of, and the largest --batch-size that fits
 * (or, when not even one sequence fits, a shorter --block-size or a smaller model). Returns the
 * estimate otherwise.
 */
export function checkTrainingMemory(
  model: GPTConfigInput | GPTConfig,
  o: MemoryPlanOptions,
  budgetBytes: number,
  label = 'train',
): MemoryEstimate {
  const e = estimateTrainingMemory(model, o);
  if (e.total <= budgetBytes) return e;
  const c = gptConfig(model);
  const T = o.blockSize ?? c.blockSize;
  const parts =
    `parameters ${formatBytes(e.parameters)}, gradients ${formatBytes(e.gradients)}, optimizer ` +
    `${formatBytes(e.optimizer)}, activations ${formatBytes(e.activations + e.evaluation)} for ` +
    `${o.batchSize} x ${T} tokens`;
  const fits = largestBatchThatFits(c, o, budgetBytes);
  const fix =
    fits > 0
      ? `--batch-size ${fits} fits` +
        ((o.gradAccum ?? 1) > 1 || fits < o.batchSize
          ? ` (add --grad-accum ${Math.ceil((o.batchSize * (o.gradAccum ?? 1)) / fits)} to keep ` +
            `${o.batchSize * (o.gradAccum ?? 1)} sequences per step)`
          : '')
      : 'not even --batch-size 1 fits: use a shorter --block-size or a smaller model';
  throw new LlmfsError(
    `${label}: this run needs about ${formatBytes(e.total)} of memory (${parts}), more than the ` +
      `${formatBytes(budgetBytes)} available; ${fix}`,
  );
}
