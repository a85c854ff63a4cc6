// The pruning chapter's figures and tables (issue 16). Quality, on the model pretrained on the
// default corpus (npm run pretrain-base -> out/base/best): held-out perplexity vs unstructured
// sparsity 0..90% (global and per-layer thresholds, and global with a short recovery fine-tune), and
// vs attention heads and MLP neurons removed (gradient score, with and without recovery). Speed, on
// a randomly initialised gpt2-shaped model (124M; speed does not depend on the weights, and the base
// model is so small that per-token overhead hides the matrices): decode ms/token and prefill time vs
// heads and neurons removed. Writes docs/images/13-pruning-{sparsity,heads,neurons,speed}.svg and
// 13-pruning-figures.json, and prints the numbers as markdown tables.
// Held-out text: the last 5% of the corpus's characters, inside the 10% validation split the base
// model never trained on. Score batches and the recovery fine-tune read 400k characters from 85% in
// (training split). Recovery: AdamW at lr 1e-4 (the base run's final learning rate), 8 x 128 tokens.
// Run: node --import tsx scripts/pruning-figures.ts [--model out/base/best] [--recover-steps 50]
//        [--eval-tokens 8192] [--out docs/images] [--speed-only (reuse the saved quality numbers)]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile, makeDirs } from '../src/io/atomic-write.js';
import { loadModel } from '../src/io/model-checkpoint.js';
import { defaultCorpus } from '../src/data/sotu.js';
import { evaluateTokens } from '../src/eval/perplexity.js';
import { generate } from '../src/generate/index.js';
import { lossCurveSvg, type CurveSeries } from '../src/train/loss-curve.js';
import { toTokenArray } from '../src/train/data.js';
import { manualSeed } from '../src/tensor/rng.js';
import { noGrad } from '../src/tensor/autograd.js';
import * as T from '../src/tensor/index.js';
import { useFastBackend } from '../src/kernels/threads/node.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import {
  magnitudePrune,
  headImportance,
  neuronImportance,
  removeHeads,
  removeNeurons,
  recoverFineTune,
  type PruneScope,
  type PruneMasks,
} from '../src/prune/index.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const modelDir = flag('model', 'out/base/best');
const recoverSteps = Number(flag('recover-steps', '50'));
const evalTokens = Number(flag('eval-tokens', '8192'));
const outDir = flag('out', 'docs/images');
const jsonFile = join(outDir, '13-pruning-figures.json');
const backend = await useFastBackend(); // as the CLI does

interface UnstructuredRow {
  sparsity: number;
  global: number;
  perLayer: number;
  recovered: number;
}
interface StructuredRow {
  removed: number;
  parameters: number;
  perplexity: number;
  recovered: number;
}
interface Quality {
  model: string;
  heldOutTokens: number;
  recoverSteps: number;
  unstructured: UnstructuredRow[];
  heads: StructuredRow[];
  neurons: StructuredRow[];
}
interface SpeedRow {
  kind: 'heads' | 'neurons';
  /** Heads removed per layer, or the fraction of neurons. */
  removed: number;
  parameters: number;
  decodeMs: number;
  prefillMs: number;
}

function quality(): Quality {
  const load = (): GPT => loadModel(modelDir).model.eval();
  const { tokenizer } = loadModel(modelDir);
  if (!tokenizer) throw new Error(`${modelDir} has no tokenizer`);
  const corpus = defaultCorpus();
  const heldText = corpus.slice(Math.floor(corpus.length * 0.95));
  const held = tokenizer.encode(heldText.slice(0, evalTokens * 6)).slice(0, evalTokens + 1);
  // Training-split text next to the held-out part (the corpus runs 1790 -> 2021; its style drifts).
  const trainStart = Math.floor(corpus.length * 0.85);
  const train = toTokenArray(
    tokenizer.encode(corpus.slice(trainStart, trainStart + 400_000)),
    tokenizer.vocabSize,
  );
  console.error(
    `backend ${backend}; held-out: ${held.length} tokens; recovery/score text: ${train.length} tokens`,
  );
  const perplexity = (m: GPT): number => evaluateTokens(m, held, { batchSize: 8 }).perplexity;
  const recover = (m: GPT, masks: PruneMasks | null): number => {
    manualSeed(0);
    recoverFineTune(m, train, masks, { steps: recoverSteps, batchSize: 8, lr: 1e-4, seed: 1 });
    return perplexity(m);
  };

  const unstructured: UnstructuredRow[] = [];
  for (const s of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
    const ppl = (scope: PruneScope): number => {
      const m = load();
      magnitudePrune(m, s, scope);
      return perplexity(m);
    };
    const m = load();
    const { masks } = magnitudePrune(m, s, 'global');
    unstructured.push({
      sparsity: s,
      global: ppl('global'),
      perLayer: ppl('layer'),
      recovered: recover(m, masks),
    });
    console.error(JSON.stringify(unstructured[unstructured.length - 1]));
  }

  // Heads (of 4 per layer) and neurons (of 512 per layer), least important by |dL/dξ|.
  const base = load();
  const scoreOpts = { kind: 'gradient' as const, tokens: train, batches: 8, batchSize: 8, seed: 0 };
  const headScores = headImportance(base, scoreOpts);
  const neuronScores = neuronImportance(base, scoreOpts);
  const row = (removed: number, m: GPT): StructuredRow => {
    const r = { removed, parameters: m.numParameters(), perplexity: perplexity(m), recovered: 0 };
    r.recovered = recover(m, null);
    console.error(JSON.stringify(r));
    return r;
  };
  const heads = [0, 1, 2, 3].map((n) => row(n, removeHeads(load(), n, headScores).model));
  const neurons = [0, 0.25, 0.5, 0.75, 0.9].map((f) => row(f, removeNeurons(load(), f, neuronScores).model));
  return { model: modelDir, heldOutTokens: held.length, recoverSteps, unstructured, heads, neurons };
}

/** Decode ms/token (greedy, KV cache, 32 tokens, median of 3) and prefill ms (1 x 256) of `m`. */
function timeModel(m: GPT): { decodeMs: number; prefillMs: number } {
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  generate(m, [0], { maxNewTokens: 4 }); // warm-up
  const decode = [0, 1, 2].map(() => {
    const t0 = performance.now();
    generate(m, [0], { maxNewTokens: 32 });
    return (performance.now() - t0) / 32;
  });
  const ids = T.tensor([Array.from({ length: 256 }, (_, t) => (t * 997) % 50257)]);
  const prefill = [0, 1, 2].map(() => {
    const t0 = performance.now();
    noGrad(() => m.forward(ids, { lastOnly: true }));
    return performance.now() - t0;
  });
  return { decodeMs: median(decode), prefillMs: median(prefill) };
}

function speed(): SpeedRow[] {
  manualSeed(0);
  const gpt2 = new GPT(GPT_PRESETS.gpt2).eval();
  const headScores = headImportance(gpt2, { kind: 'norm' });
  const neuronScores = neuronImportance(gpt2, { kind: 'norm' });
  const rows: SpeedRow[] = [];
  const add = (kind: SpeedRow['kind'], removed: number, m: GPT): void => {
    rows.push({ kind, removed, parameters: m.numParameters(), ...timeModel(m) });
    console.error(JSON.stringify(rows[rows.length - 1]));
    if (m !== gpt2) m.dispose();
  };
  add('heads', 0, gpt2);
  for (const n of [3, 6, 9, 11]) add('heads', n, removeHeads(gpt2, n, headScores).model);
  rows.push({ ...rows[0], kind: 'neurons' });
  for (const f of [0.25, 0.5, 0.75, 0.9]) add('neurons', f, removeNeurons(gpt2, f, neuronScores).model);
  return rows;
}

/** The saved quality numbers (--speed-only), keeping only the fields this script writes. */
function savedQuality(): Quality {
  const saved = JSON.parse(readFileSync(jsonFile, 'utf8')) as Quality;
  const pick = ({ removed, parameters, perplexity, recovered }: StructuredRow): StructuredRow => ({
    removed,
    parameters,
    perplexity,
    recovered,
  });
  return { ...saved, heads: saved.heads.map(pick), neurons: saved.neurons.map(pick) };
}
const { speed: _old, ...q } = (
  process.argv.includes('--speed-only') ? savedQuality() : quality()
) as Quality & {
  speed?: unknown;
};
const sp = speed();

// Pictures (lossCurveSvg draws any (x, y) series; its x axis is relabelled).
const relabel = (svg: string, x: string): string => svg.replace('>step</text>', `>${x}</text>`);
const series = (name: string, color: string, pts: [number, number][]): CurveSeries => ({
  name,
  color,
  points: pts.map(([step, loss]) => ({ step, loss })),
});
const pct = (x: number): number => Math.round(100 * x);
const rec = `+ ${q.recoverSteps} recovery steps`;
const chart = (
  file: string,
  xLabel: string,
  title: string,
  yLabel: string,
  s: CurveSeries[],
): [string, string] => [file, relabel(lossCurveSvg(s, title, yLabel), xLabel)];
const headsSp = sp.filter((r) => r.kind === 'heads');
const neuronsSp = sp.filter((r) => r.kind === 'neurons');
const figures = [
  chart(
    '13-pruning-sparsity.svg',
    'sparsity (% of attention and MLP weights set to 0)',
    `magnitude pruning: held-out perplexity vs sparsity (recovery: ${q.recoverSteps} steps)`,
    'perplexity',
    [
      series(
        'global threshold',
        '#c0392b',
        q.unstructured.map((r) => [pct(r.sparsity), r.global]),
      ),
      series(
        'per layer',
        '#8e44ad',
        q.unstructured.map((r) => [pct(r.sparsity), r.perLayer]),
      ),
      series(
        'global + recovery',
        '#2471a3',
        q.unstructured.map((r) => [pct(r.sparsity), r.recovered]),
      ),
    ],
  ),
  chart(
    '13-pruning-heads.svg',
    'attention heads removed per layer (of 4)',
    'head pruning (|dL/d gate| score): held-out perplexity',
    'perplexity',
    [
      series(
        'heads removed',
        '#c0392b',
        q.heads.map((r) => [r.removed, r.perplexity]),
      ),
      series(
        rec,
        '#2471a3',
        q.heads.map((r) => [r.removed, r.recovered]),
      ),
    ],
  ),
  chart(
    '13-pruning-neurons.svg',
    'MLP neurons removed (% of 512 per layer)',
    'MLP neuron pruning (activation x gradient score): held-out perplexity',
    'perplexity',
    [
      series(
        'neurons removed',
        '#c0392b',
        q.neurons.map((r) => [pct(r.removed), r.perplexity]),
      ),
      series(
        rec,
        '#2471a3',
        q.neurons.map((r) => [pct(r.removed), r.recovered]),
      ),
    ],
  ),
  chart(
    '13-pruning-speed.svg',
    '% of heads or MLP neurons removed (gpt2 shape, 124M)',
    'structured pruning: decode time per token (greedy, KV cache)',
    'ms per token',
    [
      series(
        'heads',
        '#c0392b',
        headsSp.map((r) => [pct(r.removed / 12), r.decodeMs]),
      ),
      series(
        'MLP neurons',
        '#2471a3',
        neuronsSp.map((r) => [pct(r.removed), r.decodeMs]),
      ),
    ],
  ),
];
makeDirs(outDir, 'figures');
for (const [name, svg] of figures) atomicWriteFile(join(outDir, name), svg);
atomicWriteFile(
  jsonFile,
  `${JSON.stringify({ ...q, speed: { backend, model: 'gpt2 shape', rows: sp } }, null, 2)}\n`,
);

const f = (x: number, d = 2): string => x.toFixed(d);
console.log(
  `\nHeld-out perplexity vs sparsity (${q.heldOutTokens} tokens; recovery ${q.recoverSteps} steps x 8 x 128):\n`,
);
console.log('| sparsity | global | per layer | global + recovery |\n|---:|---:|---:|---:|');
for (const r of q.unstructured)
  console.log(`| ${pct(r.sparsity)}% | ${f(r.global)} | ${f(r.perLayer)} | ${f(r.recovered)} |`);
for (const [title, rows, what] of [
  ['Attention heads removed per layer (of 4)', q.heads, (r: StructuredRow) => String(r.removed)],
  ['MLP neurons removed per layer (of 512)', q.neurons, (r: StructuredRow) => `${pct(r.removed)}%`],
] as const) {
  console.log(`\n${title}:\n`);
  console.log('| removed | parameters | perplexity | + recovery |\n|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${what(r)} | ${r.parameters.toLocaleString('en-US')} | ${f(r.perplexity)} | ${f(r.recovered)} |`,
    );
}
console.log(`\nSpeed, gpt2 shape (124M, random weights; backend ${backend}):\n`);
console.log('| removed | parameters | decode ms/token | prefill 1x256 ms |\n|---|---:|---:|---:|');
for (const r of sp) {
  const what = r.kind === 'heads' ? `${r.removed} of 12 heads` : `${pct(r.removed)}% of neurons`;
  console.log(
    `| ${what} | ${(r.parameters / 1e6).toFixed(1)}M | ${f(r.decodeMs, 1)} | ${f(r.prefillMs, 0)} |`,
  );
}
