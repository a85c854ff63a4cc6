// Training a reward model on preference pairs (InstructGPT section 3.5): each step scores a batch
// of B pairs as 2B sequences in one forward pass, takes the Bradley-Terry loss
// -mean log σ(r_c - r_r), clips the gradient norm and steps AdamW over the trainable parameters
// (the head, and the body unless frozen). Evaluation reports the loss, the mean margin r_c - r_r
// and the pairwise accuracy: the share of held-out pairs the model ranks the right way round.

import { noGrad, isGradEnabled } from '../../tensor/autograd.js';
import { BufferArena } from '../../tensor/arena.js';
import { AdamW } from '../adamw.js';
import { decayGroups } from '../param-groups.js';
import { clipGradNorm } from '../clip.js';
import { makeSchedule } from '../schedule.js';
import { EpochOrder } from '../epoch-order.js';
import { LlmfsError } from '../../errors.js';
import type { EncodedPair } from './pairs.js';
import { bradleyTerryLoss, rewardPairBatch, type RewardModel } from './reward-model.js';

export interface RewardTrainConfig {
  steps: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0: no clipping). */
  gradClip: number;
  warmupSteps: number;
  evalInterval: number;
  seed: number;
  padId: number;
}

export const REWARD_DEFAULTS: RewardTrainConfig = {
  steps: 300,
  batchSize: 8,
  lr: 1e-4,
  weightDecay: 0,
  gradClip: 1,
  warmupSteps: 10,
  evalInterval: 50,
  seed: 0,
  padId: 0,
};

export interface RewardStats {
  loss: number;
  /** Mean r_c - r_r. */
  margin: number;
  /** Share of pairs with r_c > r_r. */
  accuracy: number;
  pairs: number;
}

export interface RewardStepInfo {
  step: number;
  loss: number;
  accuracy: number;
  lr: number;
}

export interface RewardCallbacks {
  onStep?(info: RewardStepInfo): void;
  onEval?(step: number, stats: RewardStats): void;
  /** Checked before each step: aborting ends the run after the current step. */
  signal?: AbortSignal;
}

/** Rewards of both sides of every pair, in eval mode, without a graph. */
export function scorePairs(
  rm: RewardModel,
  pairs: readonly EncodedPair[],
  batchSize: number,
  padId: number,
  arena = new BufferArena(),
): { chosen: number[]; rejected: number[] } {
  const out = { chosen: [] as number[], rejected: [] as number[] };
  const wasTraining = rm.training;
  rm.eval();
  const T = rm.gpt.config.blockSize;
  try {
    noGrad(() => {
      for (let i = 0; i < pairs.length; i += batchSize) {
        const chunk = pairs.slice(i, i + batchSize);
        arena.run(() => {
          const b = rewardPairBatch(chunk, padId, T);
          const r = rm.forward(b.idx, b.lengths).data; // (2B)
          out.chosen.push(...Array.from(r.subarray(0, chunk.length)));
          out.rejected.push(...Array.from(r.subarray(chunk.length)));
        });
      }
    });
  } finally {
    rm.train(wasTraining);
  }
  return out;
}

/** Loss, margin and pairwise accuracy of `rm` on `pairs`. */
export function evaluateRewardModel(
  rm: RewardModel,
  pairs: readonly EncodedPair[],
  batchSize: number,
  padId: number,
): RewardStats {
  const { chosen, rejected } = scorePairs(rm, pairs, batchSize, padId);
  const n = chosen.length;
  let loss = 0;
  let margin = 0;
  let right = 0;
  chosen.forEach((c, i) => {
    const d = c - rejected[i];
    loss += -(Math.min(d, 0) - Math.log1p(Math.exp(-Math.abs(d)))); // -log σ(d)
    margin += d;
    if (d > 0) right++;
  });
  return { loss: loss / n, margin: margin / n, accuracy: right / n, pairs: n };
}

export interface RewardTrainResult {
  steps: number;
  trainLoss: number;
  final: RewardStats | null;
  seconds: number;
  stopped: boolean;
}

export function trainRewardModel(
  rm: RewardModel,
  data: { train: readonly EncodedPair[]; val?: readonly EncodedPair[] },
  config: Partial<RewardTrainConfig> = {},
  cb: RewardCallbacks = {},
): RewardTrainResult {
  if (!isGradEnabled()) throw new LlmfsError('reward model: trainRewardModel called inside noGrad');
  const c = { ...REWARD_DEFAULTS, ...config };
  if (!(Number.isInteger(c.steps) && c.steps >= 1))
    throw new LlmfsError(`reward model: steps must be >= 1, got ${c.steps}`);
  if (!(Number.isInteger(c.batchSize) && c.batchSize >= 1))
    throw new LlmfsError(`reward model: batch size must be >= 1, got ${c.batchSize}`);
  const groups = decayGroups(rm, c.weightDecay);
  if (groups.length === 0) throw new LlmfsError('reward model: every parameter is frozen; nothing to train');
  const opt = new AdamW(groups, { lr: c.lr, weightDecay: c.weightDecay });
  const params = rm.trainableParameters().map(([, p]) => p);
  const schedule = makeSchedule({
    kind: 'cosine',
    lr: c.lr,
    warmupSteps: Math.min(c.warmupSteps, c.steps - 1),
    totalSteps: c.steps,
    minLr: c.lr / 10,
  });
  const order = new EpochOrder(data.train.length, c.seed, 'reward model: preference data');
  const arena = new BufferArena();
  const T = rm.gpt.config.blockSize;
  const val = data.val ?? [];
  const t0 = performance.now();
  let step = 0;
  let last = NaN;
  let final: RewardStats | null = null;
  let stopped = false;
  const evaluate = () => {
    if (val.length === 0) return;
    final = evaluateRewardModel(rm, val, c.batchSize, c.padId);
    cb.onEval?.(step, final);
  };
  try {
    rm.train();
    while (step < c.steps) {
      if (cb.signal?.aborted) {
        stopped = true;
        break;
      }
      const lr = schedule(step);
      opt.setLr(lr);
      opt.zeroGrad();
      const pairs = order.take(c.batchSize).map((i) => data.train[i]);
      let accuracy = 0;
      const loss = arena.run(() => {
        const b = rewardPairBatch(pairs, c.padId, T);
        const r = rm.forward(b.idx, b.lengths); // (2B)
        const B = pairs.length;
        const rc = r.narrow(0, 0, B);
        const rr = r.narrow(0, B, B);
        const l = bradleyTerryLoss(rc, rr);
        l.backward();
        accuracy = Array.from(rc.data).filter((v, i) => v > rr.data[i]).length / B;
        return l.item();
      });
      if (!Number.isFinite(loss))
        throw new LlmfsError(`reward model: the loss became ${loss} at step ${step + 1}; lower --lr`);
      if (c.gradClip > 0) clipGradNorm(params, c.gradClip);
      opt.step();
      step++;
      last = loss;
      cb.onStep?.({ step, loss, accuracy, lr });
      if (step % c.evalInterval === 0 || step === c.steps) evaluate();
    }
    if (stopped && step > 0 && step % c.evalInterval !== 0) evaluate();
  } finally {
    opt.dispose();
    arena.dispose();
  }
  rm.eval();
  return { steps: step, trainLoss: last, final, seconds: (performance.now() - t0) / 1000, stopped };
}
