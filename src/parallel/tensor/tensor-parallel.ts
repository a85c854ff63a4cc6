// Tensor-parallel training (Megatron-LM, Shoeybi et al., 2019, section 3), teaching mode: N ranks
// on worker threads each hold 1/N of every block's attention heads and MLP units and all of the
// rest; every rank sees the whole batch; four all-reduces per block and step (two forward, two
// backward) make them compute exactly one model. Portable: spawning is the caller's.

import type { GPT } from '../../model/gpt.js';
import { LlmfsError } from '../../errors.js';
import { trainConfig, type TrainConfig } from '../../train/config.js';
import type { Batch, TokenArray } from '../../train/data.js';
import type { StepInfo } from '../../train/trainer.js';
import { createGroupMemory } from '../group.js';
import { runRanks, type SpawnTeachingRank } from './run-ranks.js';
import { tensorParallelProblem } from './tp-model.js';
import { gatherWeights, type Weights } from './shard.js';
import type { CommCounts, TensorRankInit, TensorRankResult } from './rank.js';

export interface TensorParallelOptions {
  /** Ranks: each holds nHead / workers heads and mlpHidden / workers MLP units of every block. */
  workers: number;
  /** Starts one rank's worker (Node: spawnNodeTensorRank() in teaching-node.ts). */
  spawn: SpawnTeachingRank<TensorRankInit, TensorRankResult>;
  /** Called after every step, as train()'s cb.onStep (from rank 0). */
  onStep?: (info: StepInfo) => void;
}

export interface TensorParallelResult {
  workers: number;
  /** The loss of every step (the same on every rank). */
  losses: number[];
  /** The trained weights gathered from the shards, by GPT parameter name. */
  weights: Weights;
  /** All-reduces in one step (rank 0's count; every rank makes the same). */
  comm: CommCounts;
  /** Seconds of each step (rank 0) and training tokens per second over the run. */
  stepSeconds: number[];
  tokensPerSecond: number;
}

const shared = (t: TokenArray): SharedArrayBuffer => {
  const b = new SharedArrayBuffer(t.byteLength);
  new Uint8Array(b).set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  return b;
};

function setup(model: GPT, n: number) {
  const problem = tensorParallelProblem(model.config, n);
  if (problem) throw new LlmfsError(`tensor parallel: ${problem}`);
  const named = model.namedParameters();
  const weights: Weights = Object.fromEntries(named.map(([k, p]) => [k, Float32Array.from(p.data)]));
  const sizes = new Map(named.map(([k, p]) => [k, p.size]));
  const c = model.config;
  // The largest all-reduce is one activation (B, T, C); the ring works in pieces of `capacity`.
  const group = createGroupMemory(n, {
    capacity: n * Math.max(1024, Math.ceil((c.blockSize * c.nEmbd * 4) / n)),
  });
  return { weights, group, size: (k: string) => sizes.get(k)! };
}

/** Trains `model` for config.steps steps on `workers` tensor-parallel ranks; `model` ends trained. */
export async function trainTensorParallel(
  model: GPT,
  data: { train: TokenArray },
  config: Partial<TrainConfig>,
  opts: TensorParallelOptions,
): Promise<TensorParallelResult> {
  const N = opts.workers;
  const c = trainConfig(config, { label: 'train' });
  const { weights, group, size } = setup(model, N);
  const train = shared(data.train);
  const wide = data.train instanceof Uint32Array;
  const results = await runRanks(
    N,
    group,
    opts.spawn,
    (rank) => ({
      rank,
      group,
      modelConfig: model.config,
      weights,
      config: c,
      train,
      wide,
      task: 'train' as const,
    }),
    'tensor parallel',
    opts.onStep,
  );
  const gathered = gatherWeights(
    results.map((r) => r.weights),
    model.config,
    size,
  );
  for (const [k, p] of model.namedParameters()) p.data.set(gathered[k]);
  const r0 = results[0];
  const seconds = (r0.stepTimes.at(-1)![1] - r0.stepTimes[0][0]) / 1000;
  return {
    workers: N,
    losses: r0.losses,
    weights: gathered,
    comm: r0.comm,
    stepSeconds: r0.stepTimes.map(([a, b]) => (b - a) / 1000),
    tokensPerSecond: r0.tokens / Math.max(seconds, 1e-9),
  };
}

/** One forward and backward of `batch` on `workers` ranks: logits, loss and gathered gradients. */
export async function tensorParallelGradients(
  model: GPT,
  batch: Batch,
  opts: TensorParallelOptions,
): Promise<{ logits: Float32Array; loss: number; grads: Weights; comm: CommCounts }> {
  const N = opts.workers;
  const { weights, group, size } = setup(model, N);
  const b = { x: Float32Array.from(batch.x.data), y: Float32Array.from(batch.y.data), B: batch.x.shape[0] };
  const results = await runRanks(
    N,
    group,
    opts.spawn,
    (rank) => ({
      rank,
      group,
      modelConfig: model.config,
      weights,
      config: trainConfig({}, { label: 'train' }),
      train: new SharedArrayBuffer(0),
      wide: false,
      task: 'gradients' as const,
      batch: b,
    }),
    'tensor parallel',
  );
  return {
    logits: results[0].logits!,
    loss: results[0].loss!,
    grads: gatherWeights(
      results.map((r) => r.grads!),
      model.config,
      size,
    ),
    comm: results[0].comm,
  };
}
