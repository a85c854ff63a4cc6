// Chapter 18, example: one model, one seed, the same batches, trained four ways on worker threads
// (data parallel, ZeRO-1, tensor parallel, pipeline parallel) and once on one worker. The losses
// agree to float tolerance, which is the whole point: each scheme is a way of computing the same
// step. Then what each scheme costs: memory per worker, all-reduces per step, the bubble.
//   npx tsx docs/examples/18-four-ways.ts

import { GPT } from '../../src/model/gpt.js';
import { gptPreset } from '../../src/model/presets.js';
import { manualSeed, Rng } from '../../src/tensor/rng.js';
import { train, type TrainConfig } from '../../src/train/trainer.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';
import { trainDataParallel } from '../../src/parallel/data-parallel.js';
import { spawnNodeRank } from '../../src/parallel/spawn-node.js';
import { trainTensorParallel } from '../../src/parallel/tensor/tensor-parallel.js';
import { trainPipeline } from '../../src/parallel/pipeline/pipeline.js';
import { spawnNodePipelineRank, spawnNodeTensorRank } from '../../src/parallel/tensor/teaching-node.js';

await useFastBackend({ threads: 1 });
const rng = new Rng(1);
const ids = Uint16Array.from({ length: 20_000 }, (_, i) =>
  rng.random() < 0.3 ? rng.randint(0, 64) : i % 64,
);
const data = { train: ids, val: new Uint16Array(0) };
const config: Partial<TrainConfig> = {
  steps: 4,
  batchSize: 8,
  lr: 3e-3,
  warmupSteps: 0,
  schedule: 'constant',
};
const fresh = () => {
  manualSeed(0);
  return new GPT(gptPreset('tiny', { vocabSize: 64, dropout: 0 }));
};

const one: number[] = [];
train(fresh(), data, { ...config, evalInterval: 1000 }, { onStep: (s) => one.push(s.loss) });
const ddp: number[] = [];
const plain = await trainDataParallel(fresh(), data, config, { onStep: (s) => ddp.push(s.loss) }, undefined, {
  workers: 2,
  spawn: spawnNodeRank,
});
const zeroLosses: number[] = [];
const zero = await trainDataParallel(
  fresh(),
  data,
  config,
  { onStep: (s) => zeroLosses.push(s.loss) },
  undefined,
  {
    workers: 2,
    zero: 1,
    spawn: spawnNodeRank,
  },
);
const tp = await trainTensorParallel(fresh(), data, config, { workers: 2, spawn: spawnNodeTensorRank() });
const pp = await trainPipeline(fresh(), data, config, {
  stages: 2,
  microBatches: 2,
  spawn: spawnNodePipelineRank(),
});

const f = (v: number) => v.toFixed(4);
console.log('| step | one worker | data x2 | ZeRO-1 x2 | tensor x2 | pipeline 2x2 |');
console.log('|---|---|---|---|---|---|');
one.forEach((l, i) =>
  console.log(
    `| ${i + 1} | ${f(l)} | ${f(ddp[i])} | ${f(zeroLosses[i])} | ${f(tp.losses[i])} | ${f(pp.losses[i])} |`,
  ),
);
const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
const m = (r: typeof plain) => r.memory[0];
console.log(
  `memory per worker, data parallel: parameters ${kb(m(plain).parameters)}, moments ${kb(m(plain).moments)}`,
);
console.log(
  `memory per worker, ZeRO-1:        parameters ${kb(m(zero).parameters)}, moments ${kb(m(zero).moments)}`,
);
console.log(
  `tensor parallel: ${tp.comm.forwardCalls} + ${tp.comm.backwardCalls} all-reduces per step ` +
    `of ${tp.comm.forwardFloats / tp.comm.forwardCalls} floats (B x T x C)`,
);
console.log(`pipeline, N = 2, M = 2: GPipe's bubble (N - 1)/(M + N - 1) = ${pp.predictedBubble.toFixed(3)}`);
