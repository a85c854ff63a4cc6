// The training loop: draw a batch, forward to the next-token loss, backward, clip, step the
// optimizer, with the learning rate from the schedule. Batches come from a token array (random
// windows, the default) or any batch source (batches.ts: fine-tuning pairs with a loss mask, ...).
// Every `evalInterval` steps it measures train and validation loss and reports a checkpoint
// (last, and best by validation loss). A NaN or infinite loss stops the run with a clear error;
// a stop signal (Ctrl-C in the CLI) ends it after the current step with a checkpoint. All file
// and terminal output goes through callbacks, so the loop runs unchanged in Node and the browser.

import type { GPT } from '../model/gpt.js';
import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from '../tensor/autograd.js';
import { globalRng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
import { BatchSampler, type Batch, type TokenArray } from './data.js';
import { batchIterator, isResumable, type BatchSource } from './batches.js';
import { trainConfig, type TrainConfig } from './config.js';
import type { TrainingState } from './training-state.js';
import { makeSchedule } from './schedule.js';
import { clipGradNorm } from './clip.js';
import { decayGroups } from './param-groups.js';
import { AdamW, Adam } from './adamw.js';
import { SGD } from './sgd.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import { arenasOf, batchLoss, estimateLoss, meanLoss } from './batch-loss.js';

export type { TrainConfig, OptimizerKind } from './config.js';
export type { TrainingState } from './training-state.js';
export { batchLoss, estimateLoss } from './batch-loss.js';

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

export interface TrainCallbacks {
  onStep?(info: StepInfo): void;
  onEval?(info: EvalInfo): void;
  /** Save a checkpoint of the current model; `kind` is 'last' or 'best'. */
  onCheckpoint?(kind: 'last' | 'best', state: TrainingState, optimizer: OptimizerState): void;
  /** Where the last good checkpoint is, for the NaN message. */
  lastCheckpointPath?: () => string | null;
  /** Evaluation progress: `done` of `total` batches scored (for a progress line). */
  onEvalProgress?(done: number, total: number): void;
  /**
   * Stops the run: checked before each step; once aborted, the loop saves a 'last' checkpoint
   * (unless one was just saved) and returns with `stopped` set. Set it from another callback,
   * or, with trainAsync, from an event such as Ctrl-C.
   */
  signal?: AbortSignal;
  /**
   * Training health (--diagnostics; src/diagnose/training-health.ts): called at step 1 and at each
   * evaluation step with the step's gradients in place, before clipping; the function it returns
   * is called right after the optimizer step. Absent (the default), nothing is measured.
   */
  onUpdate?(step: number): (() => void) | void;
}

export interface TrainResult {
  steps: number;
  trainLoss: number;
  valLoss: number;
  bestValLoss: number;
  seconds: number;
  tokensPerSecond: number;
  /** Whether the stop signal ended the run before `config.steps`. */
  stopped: boolean;
}

/** Pre-training data: random windows of blockSize + 1 tokens (train) and fixed ones (val). */
export interface TokenData {
  train: TokenArray;
  val: TokenArray;
}

/** Any batch source; evaluation uses the fixed `val` batches, if given. */
export interface SourceData {
  batches: BatchSource;
  /** Validation batches, the same at every evaluation (none: valLoss is NaN). */
  val?: readonly Batch[];
  /** The loss of one batch (default: the model's next-token loss over the mask's kept positions). */
  loss?: (model: GPT, batch: Batch) => Tensor;
}

export type TrainData = TokenData | SourceData;

export function makeOptimizer(model: GPT, c: TrainConfig): Optimizer {
  const groups = decayGroups(model, c.weightDecay);
  if (groups.length === 0) throw new LlmfsError('train: every parameter is frozen; unfreeze() some to train');
  if (c.optimizer === 'sgd') return new SGD(groups, { lr: c.lr, momentum: c.momentum });
  const betas: [number, number] = [c.beta1, c.beta2];
  if (c.optimizer === 'adam') return new Adam(groups, { lr: c.lr, betas, eps: c.eps });
  return new AdamW(groups, { lr: c.lr, betas, eps: c.eps, weightDecay: c.weightDecay });
}

type Resume = { state: TrainingState; optimizer: OptimizerState };

/**
 * Trains `model` for `config.steps` optimizer steps (settings not given take TRAIN_DEFAULTS), or
 * until a finite batch source runs out or `cb.signal` is aborted. `resume` continues a saved run
 * exactly.
 */
export function train(
  model: GPT,
  data: TrainData,
  config: Partial<TrainConfig> = {},
  cb: TrainCallbacks = {},
  resume?: Resume,
): TrainResult {
  const loop = trainLoop(model, data, config, cb, resume);
  for (;;) {
    const r = loop.next();
    if (r.done) return r.value;
  }
}

/**
 * `train`, giving the event loop a turn between steps (about every 50 ms), so a UI stays live
 * and events (a Stop button, Ctrl-C) can abort `cb.signal` while it runs.
 */
export async function trainAsync(
  model: GPT,
  data: TrainData,
  config: Partial<TrainConfig> = {},
  cb: TrainCallbacks = {},
  resume?: Resume,
): Promise<TrainResult> {
  const loop = trainLoop(model, data, config, cb, resume);
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

/** The loop itself, pausing (yield) after each step; train and trainAsync drive it. */
function* trainLoop(
  model: GPT,
  data: TrainData,
  config: Partial<TrainConfig>,
  cb: TrainCallbacks,
  resume?: Resume,
): Generator<void, TrainResult> {
  if (!isGradEnabled()) throw new LlmfsError('train: called inside noGrad');
  const c = trainConfig(config, { label: 'train' });
  const T = model.config.blockSize;
  const tokenData = 'train' in data ? data : null;
  if (tokenData && tokenData.val.length > 0 && tokenData.val.length < T + 1) {
    throw new LlmfsError(
      `train: the validation split has ${tokenData.val.length} tokens, fewer than one window of ` +
        `blockSize + 1 = ${T + 1}; hold out more data, or none (then the best checkpoint is chosen ` +
        `by the train loss)`,
    );
  }
  const sampler = tokenData && new BatchSampler(tokenData.train, T, c.batchSize, c.seed, 'training data');
  const source = sampler ?? (data as SourceData).batches;
  const lossOf = (data as SourceData).loss ?? batchLoss;
  const opt = makeOptimizer(model, c);
  const named = model.namedParameters();
  const params = named.filter(([, p]) => p.requiresGrad).map(([, p]) => p);
  const schedule = makeSchedule({
    kind: c.schedule,
    lr: c.lr,
    warmupSteps: c.warmupSteps,
    totalSteps: c.decaySteps,
    minLr: c.minLr,
  });
  let step = 0;
  let best = Infinity;
  if (resume) {
    step = resume.state.step;
    best = resume.state.bestValLoss;
    if (sampler && resume.state.samplerRng) sampler.setState(resume.state.samplerRng);
    const saved = resume.state.sourceState;
    if (!sampler && isResumable(source) && saved !== undefined) source.setState(saved);
    globalRng.setState(resume.state.globalRng);
    opt.importState(named, resume.optimizer);
  }
  const batches = batchIterator(source);
  const state = (): TrainingState => ({
    step,
    bestValLoss: best,
    globalRng: globalRng.getState(),
    optimizerSteps: {},
    config: c,
    ...(sampler ? { samplerRng: sampler.getState() } : {}),
    ...(!sampler && isResumable(source) ? { sourceState: source.getState() } : {}),
  });
  model.train();
  const arena = arenasOf(model).train;
  const t0 = performance.now();
  let lastLoss = NaN;
  let lastVal = NaN;
  let lastTrainEval = NaN;
  let sinceEval: number[] = [];
  let evaluatedAt = step;
  let savedAt = step;
  let stopped = false;
  let tokens = 0;
  const saveLast = (isBest: boolean): void => {
    if (!cb.onCheckpoint) return;
    const optState = opt.exportState(named);
    const s = { ...state(), optimizerSteps: optState.steps };
    cb.onCheckpoint('last', s, optState);
    if (isBest) cb.onCheckpoint('best', s, optState);
    savedAt = step;
  };
  const evaluate = (): void => {
    const valBatches = tokenData ? (tokenData.val.length >= T + 1 ? c.evalBatches : 0) : 0;
    const total = tokenData ? c.evalBatches + valBatches : ((data as SourceData).val ?? []).length;
    let done = 0;
    const onBatch = cb.onEvalProgress && (() => cb.onEvalProgress!(++done, total));
    if (tokenData) {
      lastTrainEval = estimateLoss(model, tokenData.train, c, T, onBatch);
      lastVal = estimateLoss(model, tokenData.val, c, T, onBatch);
    } else {
      // A source cannot be replayed: the train loss is the mean of the steps since the last evaluation.
      lastTrainEval = sinceEval.reduce((a, v) => a + v, 0) / sinceEval.length;
      lastVal = meanLoss(model, (data as SourceData).val ?? [], lossOf, onBatch);
    }
    sinceEval = [];
    evaluatedAt = step;
    const metric = Number.isNaN(lastVal) ? lastTrainEval : lastVal;
    const isBest = metric < best;
    if (isBest) best = metric;
    cb.onEval?.({ step, trainLoss: lastTrainEval, valLoss: lastVal, best: isBest });
    saveLast(isBest);
  };
  const startStep = step;
  try {
    while (step < c.steps) {
      if (cb.signal?.aborted) {
        // Stopped: keep the steps done since the last checkpoint (none done: nothing to save).
        if (step > startStep && savedAt !== step) saveLast(false);
        stopped = true;
        break;
      }
      const lr = schedule(step);
      opt.setLr(lr);
      opt.zeroGrad();
      let loss = 0;
      let micro = 0;
      for (; micro < c.gradAccum; micro++) {
        const next = batches.next();
        if (next.done) break; // a finite source ran out: a partial accumulation is dropped
        const b = next.value;
        tokens += b.x.size;
        // Every intermediate buffer of forward and backward comes from (and returns to) the arena.
        loss += arena.run(() => {
          const l = lossOf(model, b);
          (c.gradAccum > 1 ? l.mul(1 / c.gradAccum) : l).backward();
          return l.item() / c.gradAccum;
        });
      }
      if (micro < c.gradAccum) {
        opt.zeroGrad();
        if (evaluatedAt !== step) evaluate();
        break;
      }
      if (!Number.isFinite(loss)) {
        const where = cb.lastCheckpointPath?.() ?? null;
        const saved = where ? `the last good checkpoint is ${where}` : 'no checkpoint was saved yet';
        throw new LlmfsError(
          `training stopped at step ${step + 1}: the loss is ${loss}; ${saved}. ` +
            'Try a lower --lr or a gradient clip.',
        );
      }
      const n = step + 1;
      const measured = cb.onUpdate && (n === 1 || n % c.evalInterval === 0 || n === c.steps);
      const afterUpdate = measured ? cb.onUpdate!(n) : undefined;
      const gradNorm = clipGradNorm(params, c.gradClip);
      opt.step();
      afterUpdate?.();
      step++;
      lastLoss = loss;
      sinceEval.push(loss);
      const elapsed = (performance.now() - t0) / 1000;
      const tokensPerSecond = tokens / Math.max(elapsed, 1e-9);
      cb.onStep?.({ step, loss, lr, gradNorm, elapsedSeconds: elapsed, tokensPerSecond });
      if (step % c.evalInterval === 0 || step === c.steps) evaluate();
      yield;
    }
  } finally {
    opt.dispose(); // the moments were saved with each checkpoint; their wasm memory is reused
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    steps: step,
    trainLoss: Number.isNaN(lastTrainEval) ? lastLoss : lastTrainEval,
    valLoss: lastVal,
    bestValLoss: best,
    seconds,
    tokensPerSecond: tokens / Math.max(seconds, 1e-9),
    stopped,
  };
}
