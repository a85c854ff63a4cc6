// `llmfs parallel --scheme data|zero|tensor|pipeline [--workers N] [--micro-batches M]`: the
// teaching command of chapter 18. It trains the same model from the same seed on the same batches
// twice, once on one worker (train(), the reference) and once under the scheme on N worker
// threads, then prints the two loss curves side by side with their largest difference, the final
// weights' largest difference, tokens/s of each, and what the scheme is about: the memory per
// worker (data parallel, ZeRO-1: Rajbhandari et al., 2020), the all-reduces per step (tensor
// parallel: Shoeybi et al., 2019), or the bubble measured against GPipe's (N-1)/(M+N-1) (Huang et
// al., 2019), with the step's timeline drawn as SVG by --timeline.

import type { Command } from './command.js';
import { parseArgs, helpText, type FlagSpecs } from './args.js';
import { LlmfsError } from '../errors.js';
import { atomicWriteFile } from '../io/atomic-write.js';
import { defaultCorpus } from '../data/index.js';
import { CharTokenizer } from '../tokenizer/char.js';
import { GPT } from '../model/gpt.js';
import { gptPreset, GPT_PRESETS } from '../model/presets.js';
import { manualSeed } from '../tensor/rng.js';
import { splitTrainVal, toTokenArray } from '../train/data.js';
import { train, type TrainConfig } from '../train/trainer.js';
import { useFastBackend } from '../kernels/threads/node.js';
import { trainDataParallel } from '../parallel/data-parallel.js';
import { spawnNodeRank } from '../parallel/spawn-node.js';
import { trainTensorParallel } from '../parallel/tensor/tensor-parallel.js';
import { trainPipeline } from '../parallel/pipeline/pipeline.js';
import { spawnNodePipelineRank, spawnNodeTensorRank } from '../parallel/tensor/teaching-node.js';
import { timelineSvg } from '../parallel/pipeline/timeline-svg.js';

const SCHEMES = ['data', 'zero', 'tensor', 'pipeline'] as const;
type Scheme = (typeof SCHEMES)[number];

const specs = {
  scheme: { type: 'string', help: 'how the work is split', default: 'data', choices: [...SCHEMES] },
  workers: { type: 'int', help: 'worker threads (pipeline: stages)', default: 2 },
  'micro-batches': { type: 'int', help: 'pipeline: micro-batches per batch (M)', default: 4 },
  preset: { type: 'string', help: `model size (${Object.keys(GPT_PRESETS).join(', ')})`, default: 'tiny' },
  steps: { type: 'int', help: 'optimizer steps', default: 10 },
  'batch-size': { type: 'int', help: 'global batch (rows)', default: 8 },
  'grad-accum': { type: 'int', help: 'micro-batches accumulated per step (data, zero)', default: 1 },
  'grad-clip': { type: 'number', help: 'clip the global gradient norm (0: off)', default: 1 },
  lr: { type: 'number', help: 'learning rate', default: 1e-3 },
  seed: { type: 'int', help: 'seeds the weights and the batches', default: 0 },
  'max-chars': { type: 'int', help: 'characters of the default corpus to use', default: 200_000 },
  timeline: { type: 'string', help: "pipeline: write the last step's timeline to this SVG file" },
  json: { type: 'boolean', help: 'print one JSON object' },
  help: { type: 'boolean', help: 'show this help' },
} as const satisfies FlagSpecs;

const USAGE =
  'llmfs parallel [--scheme data|zero|tensor|pipeline] [--workers N] [--micro-batches M]\n' +
  '       [--preset tiny] [--steps 10] [--batch-size 8] [--timeline FILE.svg] [--json]';

/** Largest |a - b| / (1e-3 + |b|) over every weight: float tolerance, not exact equality. */
function weightGap(a: GPT, b: Record<string, Float32Array>): number {
  let gap = 0;
  for (const [name, p] of a.namedParameters()) {
    const other = b[name];
    for (let i = 0; i < p.size; i++)
      gap = Math.max(gap, Math.abs(other[i] - p.data[i]) / (1e-3 + Math.abs(p.data[i])));
  }
  return gap;
}

export const parallelCommand: Command = {
  summary: 'train on worker threads (data, ZeRO-1, tensor or pipeline parallel) beside one worker',
  async run(argv) {
    const { flags } = parseArgs('parallel', argv, specs);
    if (flags.help) {
      console.log(helpText(USAGE, parallelCommand.summary, specs));
      return 0;
    }
    const scheme = flags.scheme as Scheme;
    const N = flags.workers as number;
    const M = flags['micro-batches'] as number;
    if (N < 1) throw new LlmfsError(`parallel: --workers must be >= 1, got ${N}`);
    if (flags.timeline !== undefined && scheme !== 'pipeline')
      throw new LlmfsError('parallel: --timeline draws a pipeline step; add --scheme pipeline');
    if ((flags['grad-accum'] as number) !== 1 && (scheme === 'tensor' || scheme === 'pipeline'))
      throw new LlmfsError(
        `parallel: --grad-accum is for data and zero; ${scheme} accumulates by its own design`,
      );
    const text = defaultCorpus({ maxChars: flags['max-chars'] as number });
    const tok = CharTokenizer.fromCorpus(text);
    const { train: ids } = splitTrainVal(toTokenArray(tok.encode(text), tok.vocabSize), 0);
    const data = { train: ids, val: ids.subarray(0, 0) };
    const modelConfig = gptPreset(String(flags.preset), { vocabSize: tok.vocabSize, dropout: 0 });
    const fresh = () => {
      manualSeed(flags.seed as number);
      return new GPT(modelConfig);
    };
    const config: Partial<TrainConfig> = {
      steps: flags.steps as number,
      batchSize: flags['batch-size'] as number,
      gradAccum: flags['grad-accum'] as number,
      gradClip: flags['grad-clip'] as number,
      lr: flags.lr as number,
      warmupSteps: 0,
      schedule: 'constant',
      seed: flags.seed as number,
      evalInterval: 1_000_000_000, // no evaluation: the comparison is of the steps themselves
    };
    // One GEMM thread everywhere: the reference and each worker alike, so the ratio is the scheme's.
    await useFastBackend({ threads: 1 });
    const one = fresh();
    const oneLosses: number[] = [];
    const oneResult = train(one, data, config, { onStep: (s) => oneLosses.push(s.loss) });
    const model = fresh();
    const out: Record<string, unknown> = { scheme, workers: N, preset: flags.preset, steps: config.steps };
    let losses: number[];
    let tokensPerSecond: number;
    let weights: Record<string, Float32Array>;
    const named = () =>
      Object.fromEntries(model.namedParameters().map(([k, p]) => [k, p.data as Float32Array]));
    if (scheme === 'data' || scheme === 'zero') {
      const seen: number[] = [];
      const r = await trainDataParallel(
        model,
        data,
        config,
        { onStep: (s) => seen.push(s.loss) },
        undefined,
        {
          workers: N,
          zero: scheme === 'zero' ? 1 : 0,
          spawn: spawnNodeRank,
          flagName: (k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        },
      );
      losses = seen;
      tokensPerSecond = r.tokensPerSecond;
      weights = named();
      out.memory = r.memory[0];
    } else if (scheme === 'tensor') {
      const r = await trainTensorParallel(model, data, config, { workers: N, spawn: spawnNodeTensorRank() });
      losses = r.losses;
      tokensPerSecond = r.tokensPerSecond;
      weights = r.weights;
      out.allReduces = r.comm;
    } else {
      const r = await trainPipeline(model, data, config, {
        stages: N,
        microBatches: M,
        spawn: spawnNodePipelineRank(),
      });
      losses = r.losses;
      tokensPerSecond = r.tokensPerSecond;
      weights = r.weights;
      const warm = r.bubbles.length > 2 ? r.bubbles.slice(2) : r.bubbles;
      out.microBatches = M;
      out.bubble = { measured: warm.reduce((a, b) => a + b, 0) / warm.length, predicted: r.predictedBubble };
      if (flags.timeline !== undefined) {
        const file = String(flags.timeline);
        const step = r.timeline.length - 1;
        const subtitle = `${String(flags.preset)}, batch ${config.batchSize}, step ${step + 1}`;
        atomicWriteFile(file, timelineSvg(r.timeline[step], { subtitle }));
        out.timeline = file;
      }
    }
    const lossGap = Math.max(...losses.map((l, i) => Math.abs(l - oneLosses[i])));
    Object.assign(out, {
      losses,
      oneWorkerLosses: oneLosses,
      largestLossGap: lossGap,
      largestWeightGap: weightGap(one, weights),
      tokensPerSecond,
      oneWorkerTokensPerSecond: oneResult.tokensPerSecond,
    });
    if (flags.json) {
      console.log(JSON.stringify(out));
      return 0;
    }
    printReport(out, losses, oneLosses);
    return 0;
  },
};

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** The text report: the two loss curves, their gaps, speed, and the scheme's own figure. */
function printReport(out: Record<string, unknown>, losses: number[], oneLosses: number[]): void {
  const scheme = out.scheme as Scheme;
  const N = out.workers as number;
  const name = {
    data: 'data parallel',
    zero: 'data parallel with ZeRO-1',
    tensor: 'tensor parallel',
    pipeline: `pipeline parallel (${String(out.microBatches)} micro-batches)`,
  }[scheme];
  console.log(`${name} on ${N} workers vs one worker, ${String(out.preset)}, ${losses.length} steps`);
  console.log('step  one worker  parallel');
  losses.forEach((l, i) =>
    console.log(
      `${String(i + 1).padStart(4)}  ${oneLosses[i].toFixed(4).padStart(10)}  ${l.toFixed(4).padStart(8)}`,
    ),
  );
  console.log(
    `largest loss gap ${(out.largestLossGap as number).toExponential(1)}, ` +
      `largest weight gap ${(out.largestWeightGap as number).toExponential(1)} (relative)`,
  );
  console.log(
    `tokens/s: one worker ${Math.round(out.oneWorkerTokensPerSecond as number)}, ` +
      `${name} ${Math.round(out.tokensPerSecond as number)}`,
  );
  if (out.memory) {
    const m = out.memory as { parameters: number; gradients: number; moments: number; total: number };
    console.log(
      `memory per worker: parameters ${mb(m.parameters)}, gradients ${mb(m.gradients)}, ` +
        `optimizer moments ${mb(m.moments)}, total ${mb(m.total)}`,
    );
  }
  if (out.allReduces) {
    const c = out.allReduces as { forwardCalls: number; backwardCalls: number; forwardFloats: number };
    console.log(
      `all-reduces per step: ${c.forwardCalls} forward + ${c.backwardCalls} backward ` +
        `(${(c.forwardFloats / Math.max(1, c.forwardCalls)).toLocaleString('en-US')} floats each)`,
    );
  }
  if (out.bubble) {
    const b = out.bubble as { measured: number; predicted: number };
    console.log(`bubble: measured ${pct(b.measured)}, GPipe's (N-1)/(M+N-1) ${pct(b.predicted)}`);
  }
  if (out.timeline) console.log(`wrote ${String(out.timeline)}`);
}
