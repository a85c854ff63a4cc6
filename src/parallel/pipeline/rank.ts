// One stage of a pipeline-parallel run on its rank (GPipe, Huang et al., 2019): every step it
// splits the global batch into M micro-batches, runs all their forwards (activations received from
// the stage before and sent to the one after, p2p), then all their backwards in reverse order
// (activation gradients sent back), accumulating parameter gradients; then the tied head's two
// copies exchange gradients, the global norm is clipped and each stage takes its optimizer step.

import { Tensor } from '../../tensor/tensor.js';
import { LlmfsError } from '../../errors.js';
import type { GPTConfig } from '../../model/config.js';
import type { TrainConfig } from '../../train/config.js';
import type { StepInfo } from '../../train/trainer.js';
import { BatchSampler, type Batch, type TokenArray } from '../../train/data.js';
import { Group, type GroupMemory } from '../group.js';
import { clipByNorm, optimizerFor, scheduleOf, sumOfSquares, wallMs } from '../tensor/run-ranks.js';
import type { Weights } from '../tensor/shard.js';
import { PipelineStage } from './stage.js';
import type { StageEvent } from './bubble.js';

export interface PipelineRankInit {
  rank: number;
  group: GroupMemory;
  modelConfig: GPTConfig;
  /** The full model's weights, by GPT name (each stage takes its own). */
  weights: Weights;
  config: TrainConfig;
  microBatches: number;
  train: SharedArrayBuffer;
  wide: boolean;
}

export interface PipelineRankResult {
  rank: number;
  /** Last stage: each step's loss (empty elsewhere). */
  losses: number[];
  /** Per step, this stage's forwards and backwards in the order run. */
  events: StageEvent[][];
  /** Per step, its start and end (wall-clock ms), optimizer step included. */
  stepTimes: [number, number][];
  /** This stage's weights by GPT name (the last stage's tied copy left out). */
  weights: Weights;
  tokens: number;
}

/** Rows [m·b, (m+1)·b) of a batch (B, T), b = B / M: micro-batch m. */
function microBatch(batch: Batch, m: number, M: number): Batch {
  const [B, T] = batch.x.shape;
  const b = B / M;
  const rows = (t: Tensor) =>
    new Tensor(Float32Array.from(t.data.subarray(m * b * T, (m + 1) * b * T)), [b, T]);
  return { x: rows(batch.x), y: rows(batch.y) };
}

/** Runs one stage; the last stage (which has the loss) reports each step through `onStep`. */
export function runPipelineRank(
  init: PipelineRankInit,
  onStep?: (info: StepInfo) => void,
): PipelineRankResult {
  const { rank, modelConfig: mc, config: c, microBatches: M } = init;
  const g = new Group(init.group, rank);
  const N = g.size;
  const stage = new PipelineStage(mc, rank, N);
  const named = stage.namedParameters();
  for (const [local, p] of named) {
    const w = init.weights[stage.globalName(local)];
    if (!w || w.length !== p.size)
      throw new LlmfsError(`pipeline: stage ${rank} got no weights for '${local}'`);
    p.data.set(w);
  }
  stage.train();
  const params = named.map(([, p]) => p);
  const own = named.filter(([n]) => n !== 'tiedHead').map(([, p]) => p); // counted once in the norm
  // Both ends of a tied head: wte on the first stage, its copy on the last.
  const tied = !mc.tieWeights || N === 1 ? null : stage.first ? stage.wte!.weight : stage.tiedHead;
  const T = mc.blockSize;
  const C = mc.nEmbd;
  const b = c.batchSize / M;
  const tokens: TokenArray = init.wide ? new Uint32Array(init.train) : new Uint16Array(init.train);
  // Every stage draws the same batches (the first needs the ids, the last the targets).
  const sampler = new BatchSampler(tokens, T, c.batchSize, c.seed, 'training data');
  const opt = optimizerFor(stage, c);
  const schedule = scheduleOf(c);
  const losses: number[] = [];
  const events: StageEvent[][] = [];
  const stepTimes: [number, number][] = [];
  const norm = new Float32Array(1);
  let seen = 0;
  const begin = wallMs();
  try {
    for (let step = 0; step < c.steps; step++) {
      const t0 = wallMs();
      const lr = schedule(step);
      opt.setLr(lr);
      opt.zeroGrad();
      const log: StageEvent[] = [];
      let loss = 0;
      for (let acc = 0; acc < c.gradAccum; acc++) {
        const batch = sampler.next(); // (B, T)
        seen += batch.x.size;
        const inputs: Tensor[] = []; // (b, T, C) leaves whose .grad goes back a stage
        const outputs: Tensor[] = []; // (b, T, C), or the scalar loss on the last stage
        // All forwards, micro-batch 0 first.
        for (let m = 0; m < M; m++) {
          const mb = microBatch(batch, m, M);
          let x = mb.x; // (b, T) ids on the first stage
          if (!stage.first) {
            const a = new Float32Array(b * T * C);
            g.recv(a, rank - 1);
            x = new Tensor(a, [b, T, C], true);
          }
          inputs.push(x);
          const start = wallMs();
          const out = stage.forward(x, mb.y);
          log.push({ kind: 'F', micro: m, start, end: wallMs() });
          if (!stage.last) g.send(out.data as Float32Array, rank + 1);
          else loss += out.item() / (M * c.gradAccum);
          outputs.push(out);
        }
        // All backwards, the last micro-batch first.
        for (let m = M - 1; m >= 0; m--) {
          let grad: Tensor | undefined;
          if (!stage.last) {
            const d = new Float32Array(b * T * C);
            g.recv(d, rank + 1);
            grad = new Tensor(d, [b, T, C]);
          }
          const start = wallMs();
          const out = outputs[m];
          if (stage.last)
            out.mul(1 / (M * c.gradAccum)).backward(); // each micro-batch's share of the mean
          else out.backward(grad);
          log.push({ kind: 'B', micro: m, start, end: wallMs() });
          if (!stage.first) g.send(inputs[m].grad!.data as Float32Array, rank - 1);
        }
      }
      // The tied head: wte's gradient (first stage) plus the head's (last stage), on both.
      if (tied) {
        const mine = tied.grad!.data as Float32Array;
        const theirs = new Float32Array(mine.length);
        const peer = stage.first ? N - 1 : 0;
        if (stage.first) g.send(mine, peer); // one sends first: long messages go piece by piece
        g.recv(theirs, peer);
        if (stage.last) g.send(mine, peer);
        for (let i = 0; i < mine.length; i++) mine[i] += theirs[i];
      }
      norm[0] = sumOfSquares(own);
      g.allReduceSum(norm); // every stage's share of the global norm
      if (stage.last && !Number.isFinite(loss))
        throw new LlmfsError(`training stopped at step ${step + 1}: the loss is ${loss}`);
      const gradNorm = Math.sqrt(norm[0]);
      clipByNorm(params, gradNorm, c.gradClip);
      opt.step();
      events.push(log);
      const t1 = wallMs();
      stepTimes.push([t0, t1]);
      if (stage.last) {
        losses.push(loss);
        const elapsedSeconds = (t1 - begin) / 1000;
        const tokensPerSecond = seen / Math.max(elapsedSeconds, 1e-9);
        onStep?.({ step: step + 1, loss, lr, gradNorm, elapsedSeconds, tokensPerSecond });
      }
    }
  } finally {
    opt.dispose();
  }
  const weights: Weights = {};
  for (const [local, p] of named)
    if (local !== 'tiedHead') weights[stage.globalName(local)] = Float32Array.from(p.data);
  return { rank, losses, events, stepTimes, weights, tokens: seen };
}
