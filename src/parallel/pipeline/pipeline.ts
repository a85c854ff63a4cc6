// Pipeline-parallel training (GPipe, Huang et al., 2019), teaching mode: the blocks split into N
// contiguous stages on worker threads, each global batch into M micro-batches that flow forward
// through the stages and back; the result carries every forward's and backward's start and end so
// the bubble can be measured and drawn (timeline-svg.ts). Portable: spawning is the caller's.

import type { GPT } from '../../model/gpt.js';
import { LlmfsError } from '../../errors.js';
import { trainConfig, type TrainConfig } from '../../train/config.js';
import type { TokenArray } from '../../train/data.js';
import type { StepInfo } from '../../train/trainer.js';
import { createGroupMemory } from '../group.js';
import { runRanks, type SpawnTeachingRank } from '../tensor/run-ranks.js';
import type { Weights } from '../tensor/shard.js';
import { pipelineProblem } from './stage.js';
import { gpipeBubble, measuredBubble, type StageEvent } from './bubble.js';
import type { PipelineRankInit, PipelineRankResult } from './rank.js';

export interface PipelineOptions {
  /** N: ranks, each holding a contiguous run of blocks. */
  stages: number;
  /** M: micro-batches each global batch is split into (batchSize must divide by it). */
  microBatches: number;
  /** Starts one stage's worker (Node: spawnNodePipelineRank() in tensor/teaching-node.ts). */
  spawn: SpawnTeachingRank<PipelineRankInit, PipelineRankResult>;
  /** Called after every step, as train()'s cb.onStep (from the last stage, which has the loss). */
  onStep?: (info: StepInfo) => void;
}

export interface PipelineResult {
  stages: number;
  microBatches: number;
  /** Each step's loss (the mean over the global batch, as one worker's). */
  losses: number[];
  /** The trained weights by GPT name. */
  weights: Weights;
  /** timeline[step][stage]: that stage's forwards and backwards in that step. */
  timeline: StageEvent[][][];
  /** Each step's measured bubble fraction, and GPipe's prediction (N - 1) / (M + N - 1). */
  bubbles: number[];
  predictedBubble: number;
  /** Seconds of each step (slowest stage) and training tokens per second over the run. */
  stepSeconds: number[];
  tokensPerSecond: number;
}

const shared = (t: TokenArray): SharedArrayBuffer => {
  const b = new SharedArrayBuffer(t.byteLength);
  new Uint8Array(b).set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  return b;
};

/** Trains `model` for config.steps steps as a pipeline of `stages` stages; `model` ends trained. */
export async function trainPipeline(
  model: GPT,
  data: { train: TokenArray },
  config: Partial<TrainConfig>,
  opts: PipelineOptions,
): Promise<PipelineResult> {
  const { stages: N, microBatches: M } = opts;
  const c = trainConfig(config, { label: 'train' });
  const mc = model.config;
  const problem = pipelineProblem(mc, N, c.batchSize, M);
  if (problem) throw new LlmfsError(`pipeline: ${problem}`);
  const named = model.namedParameters();
  const weights: Weights = Object.fromEntries(named.map(([k, p]) => [k, Float32Array.from(p.data)]));
  // A channel holds one micro-batch's activations, so a send never waits for the receiver.
  const act = (c.batchSize / M) * mc.blockSize * mc.nEmbd;
  const group = createGroupMemory(N, { capacity: Math.max(N, 64), p2pCapacity: act });
  const train = shared(data.train);
  const wide = data.train instanceof Uint32Array;
  const results = await runRanks(
    N,
    group,
    opts.spawn,
    (rank) => ({ rank, group, modelConfig: mc, weights, config: c, microBatches: M, train, wide }),
    'pipeline',
    opts.onStep,
  );
  const trained: Weights = Object.assign({}, ...results.map((r) => r.weights));
  for (const [k, p] of named) p.data.set(trained[k]);
  const timeline = Array.from({ length: c.steps }, (_, s) => results.map((r) => r.events[s]));
  const stepSeconds = Array.from(
    { length: c.steps },
    (_, s) =>
      (Math.max(...results.map((r) => r.stepTimes[s][1])) -
        Math.min(...results.map((r) => r.stepTimes[s][0]))) /
      1000,
  );
  const seconds =
    (Math.max(...results.map((r) => r.stepTimes.at(-1)![1])) -
      Math.min(...results.map((r) => r.stepTimes[0][0]))) /
    1000;
  return {
    stages: N,
    microBatches: M,
    losses: results[N - 1].losses,
    weights: trained,
    timeline,
    bubbles: timeline.map(measuredBubble),
    predictedBubble: gpipeBubble(N, M),
    stepSeconds,
    tokensPerSecond: results[0].tokens / Math.max(seconds, 1e-9),
  };
}
