// One rank of a data-parallel run (PyTorch DDP, Li et al., 2020; ZeRO-1, Rajbhandari et al.,
// 2020), on its own thread with its own replica of the model: the training loop of trainer.ts,
// step for step, with the gradients averaged over the ranks between backward and the update.
// Every rank draws the same global batch and keeps its rows (batch-slice.ts); after the all-reduce
// every rank holds the same gradient, clips it by the same global norm and takes the same step, so
// the replicas never drift apart. Evaluation batches are shared out and their losses summed; rank 0
// reports steps and hands checkpoints to the coordinator (data-parallel.ts), waiting until each
// is on disk. Dropout draws from each rank's own generator: equal to one worker only at dropout 0.

import { GPT } from '../model/gpt.js';
import { globalRng, manualSeed } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
import { BatchSampler, type Batch, type TokenArray } from '../train/data.js';
import { makeSchedule } from '../train/schedule.js';
import { clipGradNorm } from '../train/clip.js';
import { decayGroups } from '../train/param-groups.js';
import { makeOptimizer } from '../train/trainer.js';
import { arenasOf, batchLoss, meanLoss } from '../train/batch-loss.js';
import type { TrainingState } from '../train/training-state.js';
import type { OptimizerState } from '../train/optimizer.js';
import { Tensor } from '../tensor/tensor.js';
import { Group } from './group.js';
import { FlatLayout } from './flat.js';
import { BatchSlice } from './batch-slice.js';
import { ShardedAdamW } from './zero.js';
import { momentBuffers, workerMemory } from './memory.js';
import { FLAG_SAVED, FLAG_STOP, type FromRank, type NamedArrays, type RankInit } from './messages.js';

export interface RankHooks {
  post(msg: FromRank): void;
  /** Ends this worker at once, without a word (a planted 'exit' fault). */
  die(): void;
}

/** The loss was not finite: every rank sees the same averaged loss, so every rank stops. */
export class NonFiniteLossError extends LlmfsError {
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`training stopped at step ${step}: the loss is ${loss}`);
  }
}

const copyOf = (x: Float32Array | Float64Array) => Float32Array.from(x);

export function runRank(init: RankInit, hooks: RankHooks): void {
  const { rank, config: c } = init;
  const g = new Group(init.group, rank);
  const N = g.size;
  const flags = new Int32Array(init.flags);
  const lead = rank === 0;

  // The replica: rank 0's weights (the coordinator's), whatever this thread's generator would draw.
  const model = new GPT(init.modelConfig);
  const named = model.namedParameters();
  for (const [name, p] of named) {
    const w = init.weights[name];
    if (!w || w.length !== p.size) throw new LlmfsError(`rank ${rank}: no weights for '${name}'`);
    p.data.set(w);
    if (init.frozen.includes(name)) p.requiresGrad = false;
  }
  const params = named.filter(([, p]) => p.requiresGrad).map(([, p]) => p);
  const layout = new FlatLayout(params);
  const tokensOf = (b: SharedArrayBuffer): TokenArray =>
    init.wide ? new Uint32Array(b) : new Uint16Array(b);
  const [trainTokens, valTokens] = [tokensOf(init.train), tokensOf(init.val)];
  const T = model.config.blockSize;
  const sampler = new BatchSampler(trainTokens, T, c.batchSize, c.seed, 'training data');
  const opt = init.zero === 1 ? null : makeOptimizer(model, c);
  const wd = new Map(
    decayGroups(model, c.weightDecay).flatMap((gr) => gr.params.map((p) => [p, gr.weightDecay ?? 0])),
  );
  const zopt =
    init.zero === 1
      ? new ShardedAdamW(layout, g, { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: wd })
      : null;
  const schedule = makeSchedule({
    kind: c.schedule,
    lr: c.lr,
    warmupSteps: c.warmupSteps,
    totalSteps: c.decaySteps,
    minLr: c.minLr,
  });
  let step = 0;
  let best = Infinity;
  globalRng.setState(init.globalRng);
  if (init.resume) {
    const { state, optimizer } = init.resume;
    step = state.step;
    best = state.bestValLoss;
    if (state.samplerRng) sampler.setState(state.samplerRng);
    globalRng.setState(state.globalRng);
    const saved: OptimizerState = {
      tensors: Object.fromEntries(
        Object.entries(optimizer.tensors).map(([k, a]) => [k, new Tensor(a, [a.length])]),
      ),
      steps: optimizer.steps,
    };
    if (zopt) zopt.importState(named, saved);
    else opt!.importState(named, saved);
  }
  if (rank > 0) manualSeed(c.seed + 7919 * rank); // dropout masks of its own (none at dropout 0)
  const slice = new BatchSlice(sampler, rank, N);
  const arena = arenasOf(model).train;
  model.train();

  const P = layout.total;
  const buffers = momentBuffers(c.optimizer, c.momentum);
  const memory = workerMemory(P, N, rank, init.zero, buffers, Math.floor(g.capacity));
  hooks.post({ type: 'ready', rank, memory });

  const flat = new Float32Array(P); // the flat gradient the collectives average (ZeRO: then parameters)
  const scalars = new Float32Array(3); // [loss, stop asked, ZeRO: squared norm of this shard]
  const t0 = performance.now();
  let tokens = 0;
  let lastLoss = NaN;
  let lastVal = NaN;
  let lastTrainEval = NaN;
  let savedAt = step;
  let saves = 0;
  let stopped = false;

  const state = (): TrainingState => ({
    step,
    bestValLoss: best,
    globalRng: globalRng.getState(),
    optimizerSteps: {},
    config: c,
    samplerRng: slice.getState(),
  });
  const saveLast = (isBest: boolean): void => {
    const o = zopt ? zopt.exportState(named) : opt!.exportState(named); // ZeRO: a collective
    if (lead) {
      const tensors: NamedArrays = {};
      for (const [k, t] of Object.entries(o.tensors)) tensors[k] = copyOf(t.data);
      hooks.post({
        type: 'checkpoint',
        kinds: isBest ? ['last', 'best'] : ['last'],
        state: { ...state(), optimizerSteps: o.steps },
        weights: Object.fromEntries(named.map(([name, p]) => [name, copyOf(p.data)])),
        optimizer: { tensors, steps: o.steps },
      });
      saves++;
      g.waitUntil(flags, FLAG_SAVED, (v) => v >= saves); // on disk before training goes on
    }
    savedAt = step;
  };
  // The mean loss over the fixed evaluation batches, each rank scoring every N-th one.
  const evalLoss = (tokensOf: TokenArray, report: () => void): number => {
    if (tokensOf.length < T + 1) return NaN;
    const s = new BatchSampler(tokensOf, T, c.batchSize, c.seed + 1_000_003);
    const mine: Batch[] = [];
    for (let i = 0; i < c.evalBatches; i++) {
      const b = s.next();
      if (i % N === rank) mine.push(b);
    }
    const sum = Float32Array.of(mine.length > 0 ? meanLoss(model, mine, batchLoss, report) * mine.length : 0);
    g.allReduceSum(sum);
    return sum[0] / c.evalBatches;
  };
  const evaluate = (): void => {
    const total = c.evalBatches + (valTokens.length >= T + 1 ? c.evalBatches : 0);
    let done = 0;
    const report = () => {
      done = Math.min(total, done + N);
      if (lead) hooks.post({ type: 'eval-progress', done, total });
    };
    lastTrainEval = evalLoss(trainTokens, report);
    lastVal = evalLoss(valTokens, report);
    const metric = Number.isNaN(lastVal) ? lastTrainEval : lastVal;
    const isBest = metric < best;
    if (isBest) best = metric;
    if (lead)
      hooks.post({ type: 'eval', info: { step, trainLoss: lastTrainEval, valLoss: lastVal, best: isBest } });
    saveLast(isBest);
  };

  try {
    while (step < c.steps) {
      const lr = schedule(step);
      if (opt) opt.setLr(lr);
      else zopt!.lr = lr;
      model.zeroGrad();
      let loss = 0;
      for (let micro = 0; micro < c.gradAccum; micro++) {
        const b = slice.next(); // (B/N, T): this rank's rows of the global batch
        tokens += c.batchSize * T;
        loss += arena.run(() => {
          const l = batchLoss(model, b);
          (c.gradAccum > 1 ? l.mul(1 / c.gradAccum) : l).backward();
          return l.item() / c.gradAccum;
        });
      }
      const f = init.fault;
      if (f && f.rank === rank && f.step === step + 1) {
        if (f.kind === 'exit') hooks.die();
        throw new Error(`planted fault in step ${step + 1}`);
      }
      // The gradient of the global batch: the mean of the ranks' gradients (each a mean over B/N rows).
      layout.gatherGrads(flat);
      let sq = 0;
      if (zopt) {
        g.reduceScatterSum(flat); // only this rank's shard [lo, hi) is needed: ZeRO-1
        for (let i = zopt.lo; i < zopt.hi; i++) sq += (flat[i] /= N) ** 2;
      } else {
        g.allReduceMean(flat);
      }
      scalars.set([loss, Atomics.load(flags, FLAG_STOP), sq]);
      g.allReduceSum(scalars);
      loss = scalars[0] / N;
      const stopAsked = scalars[1] > 0;
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(step + 1, loss);
      let gradNorm: number;
      if (opt) {
        layout.scatterGrads(flat);
        gradNorm = clipGradNorm(params, c.gradClip); // the same norm on every rank: the global one
        opt.step();
      } else {
        gradNorm = Math.sqrt(scalars[2]); // the shards' squared norms, summed: the global norm
        if (c.gradClip > 0 && gradNorm > c.gradClip) {
          const scale = c.gradClip / (gradNorm + 1e-6);
          for (let i = zopt!.lo; i < zopt!.hi; i++) flat[i] *= scale;
        }
        zopt!.update(flat);
      }
      step++;
      lastLoss = loss;
      const elapsed = (performance.now() - t0) / 1000;
      const tokensPerSecond = tokens / Math.max(elapsed, 1e-9);
      if (lead)
        hooks.post({
          type: 'step',
          info: { step, loss, lr, gradNorm, elapsedSeconds: elapsed, tokensPerSecond },
        });
      if (step % c.evalInterval === 0 || step === c.steps) evaluate();
      if (stopAsked && step < c.steps) {
        if (savedAt !== step) saveLast(false);
        stopped = true;
        break;
      }
    }
  } finally {
    opt?.dispose();
    zopt?.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  hooks.post({
    type: 'done',
    rank,
    result: {
      steps: step,
      trainLoss: Number.isNaN(lastTrainEval) ? lastLoss : lastTrainEval,
      valLoss: lastVal,
      bestValLoss: best,
      seconds,
      tokensPerSecond: tokens / Math.max(seconds, 1e-9),
      stopped,
    },
    weights: lead ? Object.fromEntries(named.map(([name, p]) => [name, copyOf(p.data)])) : null,
  });
}
