// The pruning chapter's figures and tables (issue 16): on the model pretrained on the default corpus
// (npm run pretrain-base -> out/base/best), held-out perplexity vs unstructured sparsity 0..90%
// (global and per-layer thresholds, and global with a short recovery fine-tune), and perplexity and
// generation speed vs attention heads removed and vs MLP neurons removed. Writes
// docs/images/13-pruning-{sparsity,heads,neurons,speed}.svg and 13-pruning-figures.json, and prints
// the numbers as markdown tables.
// Held-out text: the last 5% of the corpus's characters, inside the 10% validation split the base
// model never trained on. Score batches and the recovery fine-tune read 400k characters from 85% in
// (training split). Recovery: AdamW at lr 1e-4 (the base run's final learning rate), 8 x 128 tokens.
// Run: node --import tsx scripts/pruning-figures.ts [--model out/base/best] [--recover-steps 100]
//        [--eval-tokens 8192] [--out docs/images]

import { join } from 'node:path';
import { atomicWriteFile, makeDirs } from '../src/io/atomic-write.js';
import { loadModel } from '../src/io/model-checkpoint.js';
import { defaultCorpus } from '../src/data/sotu.js';
import { evaluateTokens } from '../src/eval/perplexity.js';
import { generate } from '../src/generate/index.js';
import { lossCurveSvg, type CurveSeries } from '../src/train/loss-curve.js';
import { toTokenArray, type TokenArray } from '../src/train/data.js';
import { manualSeed } from '../src/tensor/rng.js';
import { useFastBackend } from '../src/kernels/threads/node.js';
import type { GPT } from '../src/model/gpt.js';
import {
  magnitudePrune,
  headImportance,
  neuronImportance,
  removeHeads,
  removeNeurons,
  recoverFineTune,
  type PruneScope,
} from '../src/prune/index.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const modelDir = flag('model', 'out/base/best');
const recoverSteps = Number(flag('recover-steps', '100'));
const evalTokens = Number(flag('eval-tokens', '8192'));
const outDir = flag('out', 'docs/images');

const backend = await useFastBackend(); // as the CLI does
const load = (): GPT => loadModel(modelDir).model.eval();
const { tokenizer } = loadModel(modelDir);
if (!tokenizer) throw new Error(`${modelDir} has no tokenizer`);
const corpus = defaultCorpus();
const heldText = corpus.slice(Math.floor(corpus.length * 0.95));
const held = tokenizer.encode(heldText.slice(0, evalTokens * 6)).slice(0, evalTokens + 1);
// Training-split text next to the held-out part (the corpus runs 1790 -> 2021, and its style drifts).
const trainStart = Math.floor(corpus.length * 0.85);
const trainText = corpus.slice(trainStart, trainStart + 400_000);
const train: TokenArray = toTokenArray(tokenizer.encode(trainText), tokenizer.vocabSize);
console.error(
  `backend ${backend}; held-out: ${held.length} tokens; recovery/score text: ${train.length} tokens`,
);

const perplexity = (m: GPT): number => evaluateTokens(m, held, { batchSize: 8 }).perplexity;

/** Greedy tokens/s for 96 new tokens with the KV cache, best of 3 (after one warm-up). */
function tokensPerSecond(m: GPT): number {
  const prompt = tokenizer!.encode('The Congress');
  generate(m, prompt, { maxNewTokens: 8 });
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    generate(m, prompt, { maxNewTokens: 96 });
    best = Math.max(best, 96 / ((performance.now() - t0) / 1000));
  }
  return best;
}

const recover = (m: GPT, masks: Parameters<typeof recoverFineTune>[2]): void => {
  manualSeed(0);
  recoverFineTune(m, train, masks, { steps: recoverSteps, batchSize: 8, lr: 1e-4, seed: 1 });
};

// Unstructured: one threshold over all weights, one per matrix, and global + recovery.
const sparsities = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const unstructured: { sparsity: number; global: number; perLayer: number; recovered: number }[] = [];
for (const s of sparsities) {
  const ppl = (scope: PruneScope): number => {
    const m = load();
    magnitudePrune(m, s, scope);
    return perplexity(m);
  };
  const m = load();
  const { masks } = magnitudePrune(m, s, 'global');
  recover(m, masks);
  const row = { sparsity: s, global: ppl('global'), perLayer: ppl('layer'), recovered: perplexity(m) };
  unstructured.push(row);
  console.error(`sparsity ${s}: ${JSON.stringify(row)}`);
}

// Structured: heads (of 4 per layer) and neurons (of 512 per layer), least important by |dL/dξ|.
const base = load();
const scoreOpts = { kind: 'gradient' as const, tokens: train, batches: 8, batchSize: 8, seed: 0 };
const headScores = headImportance(base, scoreOpts);
const neuronScores = neuronImportance(base, scoreOpts);
interface StructuredRow {
  removed: number;
  parameters: number;
  perplexity: number;
  recovered: number;
  tokensPerSecond: number;
}
function structuredRow(removed: number, make: () => GPT): StructuredRow {
  const m = make();
  const row = {
    removed,
    parameters: m.numParameters(),
    perplexity: perplexity(m),
    tokensPerSecond: 0,
    recovered: 0,
  };
  row.tokensPerSecond = tokensPerSecond(m);
  recover(m, null);
  row.recovered = perplexity(m);
  console.error(`${JSON.stringify(row)}`);
  return row;
}
const heads = [0, 1, 2, 3].map((n) => structuredRow(n, () => removeHeads(load(), n, headScores).model));
const neurons = [0, 0.25, 0.5, 0.75, 0.9].map((f) =>
  structuredRow(f, () => removeNeurons(load(), f, neuronScores).model),
);

// Pictures (lossCurveSvg draws any (x, y) series; its x axis is relabelled).
const relabel = (svg: string, x: string): string => svg.replace('>step</text>', `>${x}</text>`);
const series = (name: string, color: string, pts: [number, number][]): CurveSeries => ({
  name,
  color,
  points: pts.map(([step, loss]) => ({ step, loss })),
});
makeDirs(outDir, 'figures');
const pct = (x: number): number => Math.round(100 * x);
const figures: Record<string, string> = {
  '13-pruning-sparsity.svg': relabel(
    lossCurveSvg(
      [
        series(
          'global threshold',
          '#c0392b',
          unstructured.map((r) => [pct(r.sparsity), r.global]),
        ),
        series(
          'per layer',
          '#8e44ad',
          unstructured.map((r) => [pct(r.sparsity), r.perLayer]),
        ),
        series(
          `global + ${recoverSteps} recovery steps`,
          '#2471a3',
          unstructured.map((r) => [pct(r.sparsity), r.recovered]),
        ),
      ],
      'magnitude pruning: held-out perplexity vs sparsity',
      'perplexity',
    ),
    'sparsity (% of attention and MLP weights set to 0)',
  ),
  '13-pruning-heads.svg': relabel(
    lossCurveSvg(
      [
        series(
          'heads removed',
          '#c0392b',
          heads.map((r) => [r.removed, r.perplexity]),
        ),
        series(
          `+ ${recoverSteps} recovery steps`,
          '#2471a3',
          heads.map((r) => [r.removed, r.recovered]),
        ),
      ],
      'head pruning (|dL/d gate| score): held-out perplexity',
      'perplexity',
    ),
    'attention heads removed per layer (of 4)',
  ),
  '13-pruning-neurons.svg': relabel(
    lossCurveSvg(
      [
        series(
          'neurons removed',
          '#c0392b',
          neurons.map((r) => [pct(r.removed), r.perplexity]),
        ),
        series(
          `+ ${recoverSteps} recovery steps`,
          '#2471a3',
          neurons.map((r) => [pct(r.removed), r.recovered]),
        ),
      ],
      'MLP neuron pruning (activation x gradient score): held-out perplexity',
      'perplexity',
    ),
    'MLP neurons removed (% of 512 per layer)',
  ),
  '13-pruning-speed.svg': relabel(
    lossCurveSvg(
      [
        series(
          'heads',
          '#c0392b',
          heads.map((r) => [pct(r.removed / 4), r.tokensPerSecond]),
        ),
        series(
          'MLP neurons',
          '#2471a3',
          neurons.map((r) => [pct(r.removed), r.tokensPerSecond]),
        ),
      ],
      'generation speed (greedy, KV cache) vs structure removed',
      'tokens/s',
    ),
    '% of heads or neurons removed',
  ),
};
for (const [name, svg] of Object.entries(figures)) atomicWriteFile(join(outDir, name), svg);
const numbers = { model: modelDir, heldOutTokens: held.length, recoverSteps, unstructured, heads, neurons };
atomicWriteFile(join(outDir, '13-pruning-figures.json'), `${JSON.stringify(numbers, null, 2)}\n`);

const f = (x: number, d = 2): string => x.toFixed(d);
console.log(
  `\nHeld-out perplexity vs sparsity (${held.length} tokens; recovery ${recoverSteps} steps x 8 x 128):\n`,
);
console.log('| sparsity | global | per layer | global + recovery |\n|---:|---:|---:|---:|');
for (const r of unstructured)
  console.log(`| ${pct(r.sparsity)}% | ${f(r.global)} | ${f(r.perLayer)} | ${f(r.recovered)} |`);
for (const [title, rows, what] of [
  ['Attention heads removed per layer (of 4)', heads, (r: StructuredRow) => String(r.removed)],
  ['MLP neurons removed per layer (of 512)', neurons, (r: StructuredRow) => `${pct(r.removed)}%`],
] as const) {
  console.log(`\n${title}:\n`);
  console.log('| removed | parameters | perplexity | + recovery | tokens/s |\n|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${what(r)} | ${r.parameters.toLocaleString('en-US')} | ${f(r.perplexity)} | ${f(r.recovered)} | ` +
        `${f(r.tokensPerSecond, 0)} |`,
    );
}
