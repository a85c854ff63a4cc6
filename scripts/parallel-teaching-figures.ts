// Chapter 18's figures for the teaching-mode schemes: the pipeline timeline of one measured step
// (GPipe, Huang et al., 2019) with N = 2 stages and M = 4 and M = 1 micro-batches, written to
// docs/images/18-pipeline-bubble*.svg, and the tokens per second of tensor parallel (Megatron-LM,
// Shoeybi et al., 2019) and pipeline parallel against one worker. Run:
//   node --import tsx scripts/parallel-teaching-figures.ts [--preset cpu-small] [--steps 12] [--svg]

import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { GPT } from '../src/model/gpt.js';
import { gptPreset } from '../src/model/presets.js';
import { manualSeed, Rng } from '../src/tensor/rng.js';
import { train, type TrainConfig } from '../src/train/trainer.js';
import { useFastBackend } from '../src/kernels/threads/node.js';
import { trainPipeline, type PipelineResult } from '../src/parallel/pipeline/pipeline.js';
import { trainTensorParallel } from '../src/parallel/tensor/tensor-parallel.js';
import { spawnNodePipelineRank, spawnNodeTensorRank } from '../src/parallel/tensor/teaching-node.js';
import { timelineSvg } from '../src/parallel/pipeline/timeline-svg.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const preset = arg('preset', 'cpu-small');
const steps = Number(arg('steps', '12'));
const batchSize = Number(arg('batch', '8'));
const svg = process.argv.includes('--svg');

const rng = new Rng(5);
const data = {
  train: Uint16Array.from({ length: 200_000 }, (_, i) =>
    rng.random() < 0.2 ? rng.randint(0, 256) : (i * 7) % 256,
  ),
  val: new Uint16Array(0),
};
const config: Partial<TrainConfig> = { steps, batchSize, lr: 1e-3, evalInterval: 1_000_000, seed: 11 };
const model = () => {
  manualSeed(3);
  return new GPT(gptPreset(preset, { dropout: 0 }));
};
/** Tokens per second over the steps after the first two (warm-up: wasm compile, first allocations). */
const rate = (stepSeconds: number[]) => {
  const warm = stepSeconds.slice(2);
  const T = gptPreset(preset).blockSize;
  return (warm.length * batchSize * T) / warm.reduce((a, s) => a + s, 0);
};

const rows: [string, number, string][] = [];
for (const threads of [1, 2]) {
  await useFastBackend({ threads });
  const times: number[] = [];
  let last = performance.now();
  train(model(), data, config, {
    onStep: () => {
      const now = performance.now();
      times.push((now - last) / 1000);
      last = now;
    },
  });
  rows.push([`one worker, ${threads} GEMM thread${threads > 1 ? 's' : ''}`, rate(times), '']);
}
await useFastBackend({ threads: 1 });
const tp = await trainTensorParallel(model(), data, config, { workers: 2, spawn: spawnNodeTensorRank() });
const kb = (tp.comm.forwardFloats + tp.comm.backwardFloats) * 4;
rows.push([
  'tensor parallel, 2 workers',
  rate(tp.stepSeconds),
  `${tp.comm.forwardCalls}+${tp.comm.backwardCalls} all-reduces/step, ${(kb / 1024).toFixed(0)} KiB/step`,
]);
const pipes = new Map<number, PipelineResult>();
for (const M of [1, 2, 4]) {
  const r = await trainPipeline(model(), data, config, {
    stages: 2,
    microBatches: M,
    spawn: spawnNodePipelineRank(),
  });
  pipes.set(M, r);
  const warm = r.bubbles.slice(2);
  const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
  rows.push([
    `pipeline, 2 stages, M = ${M}`,
    rate(r.stepSeconds),
    `bubble ${(100 * mean).toFixed(1)}% measured (mean), ${(100 * r.predictedBubble).toFixed(1)}% predicted`,
  ]);
}
console.log(`${preset}, batch ${batchSize}, ${steps} steps, ${availableParallelism()} cores`);
for (const [name, tps, note] of rows)
  console.log(`${name.padEnd(34)} ${tps.toFixed(0).padStart(7)} tok/s  ${note}`);

if (svg) {
  for (const [M, file] of [
    [4, 'docs/images/18-pipeline-bubble.svg'],
    [1, 'docs/images/18-pipeline-bubble-m1.svg'],
  ] as const) {
    const r = pipes.get(M)!;
    // The step whose bubble is the median of the warm steps: typical, not the luckiest.
    const warm = r.bubbles.map((b, i) => [b, i] as const).slice(2);
    const [, pick] = [...warm].sort((a, b) => a[0] - b[0])[Math.floor(warm.length / 2)];
    const subtitle =
      `${preset} (${gptPreset(preset).nLayer} blocks, one stage per worker thread), global batch ${batchSize}, ` +
      `step ${pick + 1} of ${steps}`;
    writeFileSync(file, timelineSvg(r.timeline[pick], { subtitle }));
    console.log(`wrote ${file} (step ${pick + 1}, bubble ${(100 * r.bubbles[pick]).toFixed(1)}%)`);
  }
}
