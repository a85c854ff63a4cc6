// The training loop: sample a batch, forward to the next-token loss, backward, clip, step the
// optimizer, with the learning rate from the schedule. Every `evalInterval` steps it measures
// train and validation loss on fixed batches and reports a checkpoint (last, and best by
// validation loss). A NaN or infinite loss stops the run with a clear error. All file and
// terminal output goes through callbacks, so the loop runs unchanged in Node and the browser.

import type { GPT } from '../model/gpt.js';
import { noGrad, isGradEnabled } from '../tensor/autograd.js';
import { globalRng, type RngState } from '../tensor/rng.js';
import { BufferArena } from '../tensor/arena.js';
import { LlmfsError } from '../errors.js';
import { BatchSampler, type TokenArray } from './data.js';
import { makeSchedule, type ScheduleOptions } from './schedule.js';
import { clipGradNorm } from './clip.js';
import { decayGroups } from './param-groups.js';
import { AdamW, Adam } from './adamw.js';
import { SGD } from './sgd.js';
import type { Optimizer, OptimizerState } from './optimizer.js';

export type OptimizerKind = 'adamw' | 'adam' | 'sgd';

export interface TrainConfig {
  steps: number;
  batchSize: number;
  /** Micro-batches whose gradients are averaged into one step. */
  gradAccum: number;
  optimizer: OptimizerKind;
  lr: number;
  schedule: ScheduleOptions['kind'];
  warmupSteps: number;
  /** Steps over which cosine decays (default: steps). */
  decaySteps: number;
  minLr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  /** SGD momentum. */
  momentum: number;
  /** Clip the global gradient norm to this (0 disables). */
  gradClip: number;
  evalInterval: number;
  evalBatches: number;
  seed: number;
}

export interface StepInfo {
  step: number; // steps completed
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
}

export interface EvalInfo {
  step: number;
  trainLoss: number;
  valLoss: number;
  best: boolean;
}

/** What a checkpoint must hold to resume exactly. */
export interface TrainingState {
  step: number;
  bestValLoss: number;
  samplerRng: RngState;
  globalRng: RngState;
  optimizerSteps: Record<string, number>;
  config: TrainConfig;
}

export interface TrainCallbacks {
  onStep?(info: StepInfo): void;
  onEval?(info: EvalInfo): void;
  /** Save a checkpoint of the current model; `kind` is 'last' or 'best'. */
  onCheckpoint?(kind: 'last' | 'best', state: TrainingState, optimizer: OptimizerState): void;
  /** Where the last good checkpoint is, for the NaN message. */
  lastCheckpointPath?: () => string | null;
}

export interface TrainResult {
  steps: number;
  trainLoss: number;
  valLoss: number;
  bestValLoss: number;
  seconds: number;
  tokensPerSecond: number;
}

export function makeOptimizer(model: GPT, c: TrainConfig): Optimizer {
  const groups = decayGroups(model, c.weightDecay);
  if (c.optimizer === 'sgd') return new SGD(groups, { lr: c.lr, momentum: c.momentum });
  if (c.optimizer === 'adam') return new Adam(groups, { lr: c.lr, betas: [c.beta1, c.beta2] });
  return new AdamW(groups, { lr: c.lr, betas: [c.beta1, c.beta2], weightDecay: c.weightDecay });
}

/**
 * One arena for training steps and one for evaluation per model, kept for the model's life: on
 * the fast backend arena buffers live in wasm memory for good, so making new arenas for every
 * evaluation or every train() call would grow memory without bound.
 */
const arenas = new WeakMap<GPT, { train: BufferArena; eval: BufferArena }>();
function arenasOf(model: GPT): { train: BufferArena; eval: BufferArena } {
  let a = arenas.get(model);
  if (!a) arenas.set(model, (a = { train: new BufferArena(), eval: new BufferArena() }));
  return a;
}

/** Mean loss over `batches` fixed batches (the same ones at every evaluation). */
export function estimateLoss(model: GPT, tokens: TokenArray, c: TrainConfig, blockSize: number): number {
  if (tokens.length < blockSize + 1) return NaN;
  const sampler = new BatchSampler(tokens, blockSize, c.batchSize, c.seed + 1_000_003);
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  const arena = arenasOf(model).eval;
  noGrad(() => {
    for (let i = 0; i < c.evalBatches; i++) {
      const b = sampler.next();
      total += arena.run(() => model.forward(b.x, { targets: b.y }).loss!.item());
    }
  });
  model.train(wasTraining);
  return total / c.evalBatches;
}

export function train(model: GPT, data: { train: TokenArray; val: TokenArray }, c: TrainConfig, cb: TrainCallbacks = {}, resume?: { state: TrainingState; optimizer: OptimizerState }): TrainResult {
  if (!isGradEnabled()) throw new LlmfsError('train: called inside noGrad');
  const T = model.config.blockSize;
  const sampler = new BatchSampler(data.train, T, c.batchSize, c.seed, 'training data');
  const opt = makeOptimizer(model, c);
  const named = model.namedParameters();
  const params = named.map(([, p]) => p);
  const schedule = makeSchedule({ kind: c.schedule, lr: c.lr, warmupSteps: c.warmupSteps, totalSteps: c.decaySteps, minLr: c.minLr });
  let step = 0;
  let best = Infinity;
  if (resume) {
    step = resume.state.step;
    best = resume.state.bestValLoss;
    sampler.setState(resume.state.samplerRng);
    globalRng.setState(resume.state.globalRng);
    opt.importState(named, resume.optimizer);
  }
  const state = (): TrainingState => ({
    step, bestValLoss: best, samplerRng: sampler.getState(), globalRng: globalRng.getState(), optimizerSteps: {}, config: c,
  });
  model.train();
  const arena = arenasOf(model).train;
  const t0 = performance.now();
  const startStep = step;
  let lastLoss = NaN;
  let lastVal = NaN;
  let lastTrainEval = NaN;
  const tokensPerStep = c.batchSize * c.gradAccum * T;
  while (step < c.steps) {
    const lr = schedule(step);
    opt.setLr(lr);
    opt.zeroGrad();
    let loss = 0;
    for (let micro = 0; micro < c.gradAccum; micro++) {
      const b = sampler.next();
      // Every intermediate buffer of forward and backward comes from (and returns to) the arena.
      loss += arena.run(() => {
        const l = model.forward(b.x, { targets: b.y }).loss!;
        (c.gradAccum > 1 ? l.mul(1 / c.gradAccum) : l).backward();
        return l.item() / c.gradAccum;
      });
    }
    if (!Number.isFinite(loss)) {
      const where = cb.lastCheckpointPath?.() ?? null;
      throw new LlmfsError(`training stopped at step ${step + 1}: the loss is ${loss}; ${where ? `the last good checkpoint is ${where}` : 'no checkpoint was saved yet'}. Try a lower --lr or a gradient clip.`);
    }
    const gradNorm = clipGradNorm(params, c.gradClip);
    opt.step();
    step++;
    lastLoss = loss;
    const elapsed = (performance.now() - t0) / 1000;
    cb.onStep?.({ step, loss, lr, gradNorm, elapsedSeconds: elapsed, tokensPerSecond: ((step - startStep) * tokensPerStep) / Math.max(elapsed, 1e-9) });
    if (step % c.evalInterval === 0 || step === c.steps) {
      lastTrainEval = estimateLoss(model, data.train, c, T);
      lastVal = estimateLoss(model, data.val, c, T);
      const metric = Number.isNaN(lastVal) ? lastTrainEval : lastVal;
      const isBest = metric < best;
      if (isBest) best = metric;
      cb.onEval?.({ step, trainLoss: lastTrainEval, valLoss: lastVal, best: isBest });
      if (cb.onCheckpoint) {
        const optState = opt.exportState(named);
        const s = { ...state(), optimizerSteps: optState.steps };
        cb.onCheckpoint('last', s, optState);
        if (isBest) cb.onCheckpoint('best', s, optState);
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    steps: step,
    trainLoss: Number.isNaN(lastTrainEval) ? lastLoss : lastTrainEval,
    valLoss: lastVal,
    bestValLoss: best,
    seconds,
    tokensPerSecond: ((step - startStep) * tokensPerStep) / Math.max(seconds, 1e-9),
  };
}
