// One rank of a tensor-parallel run (Megatron-LM, Shoeybi et al., 2019): builds its shard of the
// GPT, then either trains it as train() would (the same batches, schedule, global-norm clip and
// optimizer; only the sharded matrices differ per rank) or runs one forward and backward and
// returns its logits, loss and gradients (the equivalence probe).

import { Tensor } from '../../tensor/tensor.js';
import { LlmfsError } from '../../errors.js';
import type { GPTConfig } from '../../model/config.js';
import type { TrainConfig } from '../../train/config.js';
import type { StepInfo } from '../../train/trainer.js';
import { BatchSampler, type TokenArray } from '../../train/data.js';
import { Group, type GroupMemory } from '../group.js';
import { CommCounter } from './comm-ops.js';
import { TensorParallelGPT } from './tp-model.js';
import { shardOf, splitOf, type Weights } from './shard.js';
import { clipByNorm, optimizerFor, scheduleOf, sumOfSquares, wallMs } from './run-ranks.js';

export interface TensorRankInit {
  rank: number;
  group: GroupMemory;
  modelConfig: GPTConfig;
  /** The full model's weights (each rank keeps its shard). */
  weights: Weights;
  config: TrainConfig;
  /** Token ids in shared memory (Uint16, or Uint32 when `wide`). */
  train: SharedArrayBuffer;
  wide: boolean;
  /** 'train': config.steps steps; 'gradients': one forward and backward on `batch`. */
  task: 'train' | 'gradients';
  batch?: { x: Float32Array; y: Float32Array; B: number };
}

/** All-reduces of one step, per direction: calls and floats each rank sends into the ring. */
export interface CommCounts {
  forwardCalls: number;
  forwardFloats: number;
  backwardCalls: number;
  backwardFloats: number;
  /** The scalar all-reduce of the gradient norm (clipping), per step. */
  normCalls: number;
}

export interface TensorRankResult {
  rank: number;
  losses: number[];
  /** Start and end of each step, wall-clock ms. */
  stepTimes: [number, number][];
  /** This rank's shard of every parameter (after training, or as given). */
  weights: Weights;
  /** 'gradients' only: this rank's shard of every gradient, the logits (B·T·V) and the loss. */
  grads?: Weights;
  logits?: Float32Array;
  loss?: number;
  comm: CommCounts;
  tokens: number;
}

/** Runs one rank; rank 0 reports each step through `onStep`. */
export function runTensorRank(init: TensorRankInit, onStep?: (info: StepInfo) => void): TensorRankResult {
  const { rank, modelConfig: mc, config: c } = init;
  const g = new Group(init.group, rank);
  const N = g.size;
  const count = new CommCounter();
  const model = new TensorParallelGPT(mc, N, g, count);
  const named = model.namedParameters();
  for (const [name, p] of named) {
    const full = init.weights[name];
    if (!full) throw new LlmfsError(`tensor parallel: rank ${rank} got no weights for '${name}'`);
    const part = shardOf(name, full, mc, N, rank);
    if (part.length !== p.size)
      throw new LlmfsError(`tensor parallel: '${name}' shard has ${part.length} values, expected ${p.size}`);
    p.data.set(part);
  }
  model.train();
  const sharded = named.filter(([n]) => splitOf(n, mc, N).kind !== 'replicated').map(([, p]) => p);
  const replicated = named.filter(([n]) => splitOf(n, mc, N).kind === 'replicated').map(([, p]) => p);
  const params = named.map(([, p]) => p);
  const copy = (pick: (t: Tensor) => Float32Array): Weights =>
    Object.fromEntries(named.map(([n, p]) => [n, Float32Array.from(pick(p))]));
  const comm = (): CommCounts => ({ ...count, normCalls: init.task === 'train' ? 1 : 0 });

  if (init.task === 'gradients') {
    const b = init.batch!;
    const T = b.x.length / b.B;
    const { logits, loss } = model.loss(new Tensor(b.x, [b.B, T]), new Tensor(b.y, [b.B, T]));
    loss.backward();
    return {
      rank,
      losses: [loss.item()],
      stepTimes: [],
      weights: copy((p) => p.data as Float32Array),
      grads: copy((p) => (p.grad ? (p.grad.data as Float32Array) : new Float32Array(p.size))),
      logits: Float32Array.from(logits.data),
      loss: loss.item(),
      comm: comm(),
      tokens: 0,
    };
  }

  const tokens: TokenArray = init.wide ? new Uint32Array(init.train) : new Uint16Array(init.train);
  const sampler = new BatchSampler(tokens, mc.blockSize, c.batchSize, c.seed, 'training data');
  const opt = optimizerFor(model, c);
  const schedule = scheduleOf(c);
  const losses: number[] = [];
  const stepTimes: [number, number][] = [];
  const norm = new Float32Array(1);
  let seen = 0;
  const start = wallMs();
  try {
    for (let step = 0; step < c.steps; step++) {
      const t0 = wallMs();
      count.reset();
      const lr = schedule(step);
      opt.setLr(lr);
      opt.zeroGrad();
      let loss = 0;
      for (let micro = 0; micro < c.gradAccum; micro++) {
        const b = sampler.next(); // (B, T): every rank draws the same batch
        seen += b.x.size;
        const l = model.loss(b.x, b.y).loss;
        (c.gradAccum > 1 ? l.mul(1 / c.gradAccum) : l).backward();
        loss += l.item() / c.gradAccum;
      }
      if (!Number.isFinite(loss))
        throw new LlmfsError(`training stopped at step ${step + 1}: the loss is ${loss}`);
      // The global norm: the shards' squares summed over ranks, the replicated ones counted once.
      norm[0] = sumOfSquares(sharded);
      g.allReduceSum(norm);
      const gradNorm = Math.sqrt(norm[0] + sumOfSquares(replicated));
      clipByNorm(params, gradNorm, c.gradClip);
      opt.step();
      losses.push(loss);
      const t1 = wallMs();
      stepTimes.push([t0, t1]);
      const elapsedSeconds = (t1 - start) / 1000;
      const tokensPerSecond = seen / Math.max(elapsedSeconds, 1e-9);
      if (rank === 0) onStep?.({ step: step + 1, loss, lr, gradNorm, elapsedSeconds, tokensPerSecond });
    }
  } finally {
    opt.dispose();
  }
  return {
    rank,
    losses,
    stepTimes,
    weights: copy((p) => p.data as Float32Array),
    comm: comm(),
    tokens: seen,
  };
}
