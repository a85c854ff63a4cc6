// Training a ViT classifier on generated scenes (ViT, Dosovitskiy et al., 2021, trained from
// scratch with AdamW, warm-up and cosine decay, and gradient clipping as in the paper's setup):
// each step draws a fresh batch of train scenes, sums the heads' cross-entropies, clips the global
// gradient norm, and takes one AdamW step; every evalEvery steps, accuracy on the val split.
// Deterministic by seed: the seed fixes the initial weights and the scenes drawn.

import { isGradEnabled } from '../../tensor/autograd.js';
import { BufferArena } from '../../tensor/arena.js';
import { Rng } from '../../tensor/rng.js';
import { AdamW } from '../../train/adamw.js';
import { clipGradNorm } from '../../train/clip.js';
import { decayGroups } from '../../train/param-groups.js';
import { makeSchedule } from '../../train/schedule.js';
import { LlmfsError } from '../../errors.js';
import type { ViT } from '../model/vit.js';
import type { NormalizeOptions } from '../to-tensor.js';
import type { SceneOptions } from '../scenes/scene.js';
import type { LabelVocabularies } from './labels.js';
import { drawIndices, sceneBatch } from './batches.js';
import { type ClassifyAccuracy, argmaxRow, evaluateClassifier } from './evaluate.js';

export interface ClassifyTrainSettings {
  steps: number;
  batchSize: number;
  /** Peak learning rate (after warm-up); cosine decay to lr / 10 at the last step. */
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0: no clipping). */
  gradClip: number;
  /** Seeds the scenes drawn (the caller seeds the initial weights with the same number). */
  seed: number;
  /** Accuracy on val every this many steps and at the end (0: only at the end). */
  evalEvery: number;
  /** How many val scenes each evaluation reads (val scenes 0..evalCount-1). */
  evalCount: number;
}

export const CLASSIFY_TRAIN_DEFAULTS: ClassifyTrainSettings = {
  steps: 800,
  batchSize: 32,
  lr: 2e-3,
  warmupSteps: 100,
  weightDecay: 0.05,
  gradClip: 1,
  seed: 1,
  evalEvery: 250,
  evalCount: 256,
};

export interface ClassifyStepInfo {
  step: number; // 1-based
  steps: number;
  loss: number;
  /** Fraction of the batch's heads predicted right (dropout on, before the update). */
  accuracy: number;
  lr: number;
  seconds: number; // since training started, evaluations included
}

export interface ClassifyCallbacks {
  onStep?(info: ClassifyStepInfo): void;
  onEval?(step: number, acc: ClassifyAccuracy): void;
}

export interface ClassifyTrainResult {
  /** Steps taken (fewer than asked when stopped). */
  steps: number;
  stopped: boolean;
  /** The last batch loss, and the last val accuracy (null if none ran). */
  loss: number;
  val: ClassifyAccuracy | null;
  seconds: number;
}

function checkSettings(c: ClassifyTrainSettings): void {
  for (const k of ['steps', 'batchSize', 'evalCount'] as const)
    if (!(Number.isInteger(c[k]) && c[k] >= 1))
      throw new LlmfsError(`vision classify: ${k} must be a whole number >= 1, got ${c[k]}`);
  for (const k of ['warmupSteps', 'evalEvery'] as const)
    if (!(Number.isInteger(c[k]) && c[k] >= 0))
      throw new LlmfsError(`vision classify: ${k} must be a whole number >= 0, got ${c[k]}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr)))
    throw new LlmfsError(`vision classify: lr must be a positive number, got ${c.lr}`);
  if (!(c.weightDecay >= 0) || !(c.gradClip >= 0))
    throw new LlmfsError('vision classify: weightDecay and gradClip must be >= 0');
}

export interface ClassifyData {
  scenes: SceneOptions;
  norm?: NormalizeOptions;
}

/** Trains `vit` (its heads named as `vocab`) on train scenes; stops early when `signal` aborts. */
export function trainClassifier(
  vit: ViT,
  vocab: LabelVocabularies,
  data: ClassifyData,
  settings: Partial<ClassifyTrainSettings> = {},
  cb: ClassifyCallbacks = {},
  signal?: { readonly aborted: boolean },
): ClassifyTrainResult {
  const loop = classifyLoop(vit, vocab, data, settings, cb, signal);
  for (;;) {
    const r = loop.next();
    if (r.done) return r.value;
  }
}

/**
 * `trainClassifier`, giving the event loop a turn between steps (about every 50 ms), so Ctrl-C or
 * a Stop button can abort `signal` while it runs (a loop that never yields never sees them).
 */
export async function trainClassifierAsync(
  vit: ViT,
  vocab: LabelVocabularies,
  data: ClassifyData,
  settings: Partial<ClassifyTrainSettings> = {},
  cb: ClassifyCallbacks = {},
  signal?: { readonly aborted: boolean },
): Promise<ClassifyTrainResult> {
  const loop = classifyLoop(vit, vocab, data, settings, cb, signal);
  let turn = performance.now();
  for (;;) {
    const r = loop.next();
    if (r.done) return r.value;
    if (performance.now() - turn > 50) {
      await new Promise((done) => setTimeout(done, 0));
      turn = performance.now();
    }
  }
}

/** The loop itself, pausing (yield) after each step. */
function* classifyLoop(
  vit: ViT,
  vocab: LabelVocabularies,
  data: ClassifyData,
  settings: Partial<ClassifyTrainSettings>,
  cb: ClassifyCallbacks,
  signal?: { readonly aborted: boolean },
): Generator<void, ClassifyTrainResult> {
  if (!isGradEnabled()) throw new LlmfsError('vision classify: trainClassifier called inside noGrad');
  const c = { ...CLASSIFY_TRAIN_DEFAULTS, ...settings };
  checkSettings(c);
  const heads = Object.keys(vocab);
  const warm = Math.min(c.warmupSteps, c.steps - 1);
  const schedule = makeSchedule({ kind: 'cosine', lr: c.lr, warmupSteps: warm, totalSteps: c.steps });
  const opt = new AdamW(decayGroups(vit, c.weightDecay), { lr: c.lr, weightDecay: c.weightDecay });
  const params = vit.parameters().filter((p) => p.requiresGrad);
  const rng = new Rng(c.seed);
  const arena = new BufferArena();
  const evaluate = () =>
    evaluateClassifier(vit, vocab, {
      split: 'val',
      count: c.evalCount,
      scenes: data.scenes,
      norm: data.norm,
    });
  const t0 = performance.now();
  let step = 0;
  let loss = NaN;
  let val: ClassifyAccuracy | null = null;
  let evaluatedAt = 0;
  const evalNow = () => {
    val = evaluate();
    evaluatedAt = step;
    cb.onEval?.(step, val);
  };
  try {
    vit.train();
    while (step < c.steps && !signal?.aborted) {
      const lr = schedule(step);
      opt.setLr(lr);
      const b = sceneBatch('train', drawIndices(rng, c.batchSize), data.scenes, vocab, data.norm);
      opt.zeroGrad();
      let right = 0;
      loss = arena.run(() => {
        const out = vit.forward(b.images, b.targets);
        out.loss!.backward();
        for (const h of heads) {
          const K = out.logits[h].shape[1];
          b.targets[h].forEach((t, r) => (right += argmaxRow(out.logits[h].data, r, K) === t ? 1 : 0));
        }
        return out.loss!.item();
      });
      if (!Number.isFinite(loss))
        throw new LlmfsError(`vision classify: the loss became ${loss} at step ${step + 1}; lower --lr`);
      if (c.gradClip > 0) clipGradNorm(params, c.gradClip);
      opt.step();
      step++;
      const seconds = (performance.now() - t0) / 1000;
      const accuracy = right / (heads.length * c.batchSize);
      cb.onStep?.({ step, steps: c.steps, loss, accuracy, lr, seconds });
      if (c.evalEvery > 0 && step % c.evalEvery === 0) evalNow();
      yield;
    }
    if (step > 0 && evaluatedAt !== step) evalNow();
  } finally {
    opt.dispose();
    arena.dispose();
    vit.eval();
  }
  return { steps: step, stopped: step < c.steps, loss, val, seconds: (performance.now() - t0) / 1000 };
}
