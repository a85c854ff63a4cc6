// Chapter 13's quantization figures and tables, from the model `npm run pretrain-base` makes
// (out/base/best) and the tail of the default corpus it never trained on:
//   1. docs/images/13-int4-groups.svg: one weight row of the trained model with the 16 levels int4
//      can place on it, once with one scale for the whole row and once with a scale per group of 32;
//   2. a markdown table (printed): file size and held-out perplexity for fp32, int8, and int4 with
//      groups of 16..128 and one scale per row, symmetric and with zero points;
//   3. a markdown table (printed): what one outlier weight does to its row's rounding error.
// Run: node --import tsx scripts/quant-figures.ts [--model out/base/best] [--out docs/images]

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../src/io/atomic-write.js';
import { loadPretrained } from '../src/io/load-pretrained.js';
import { quantizeModel } from '../src/quant/quantize-model.js';
import { quantizeInt8, dequantizeInt8 } from '../src/quant/int8.js';
import { quantizeInt4, dequantizeInt4 } from '../src/quant/int4.js';
import { quantizationConfig, quantizedWeights } from '../src/io/quant-layout.js';
import { safetensorsChunks } from '../src/io/safetensors.js';
import { evaluateText, gptLogits } from '../src/eval/perplexity.js';
import { defaultCorpus } from '../src/data/sotu.js';
import type { QuantizeModelOptions } from '../src/quant/quantize-model.js';
import type { GPT } from '../src/model/gpt.js';
import type { Linear } from '../src/nn/layers.js';

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const modelDir = flag('model') ?? 'out/base/best';
const outDir = flag('out') ?? 'docs/images';
mkdirSync(outDir, { recursive: true });

const corpus = defaultCorpus();
const heldOut = corpus.slice(Math.floor(corpus.length * 0.9)).slice(0, 60000);

function fileBytes(model: GPT): number {
  const t = quantizationConfig(model) ? quantizedWeights(model) : model.stateDict();
  return safetensorsChunks(t).reduce((n, c) => n + c.length, 0);
}

// 2. Size and perplexity per format.
const formats: [string, QuantizeModelOptions | null][] = [
  ['fp32', null],
  ['int8, one scale per row', { bits: 8 }],
  ['int4, groups of 16', { bits: 4, groupSize: 16 }],
  ['int4, groups of 32', { bits: 4, groupSize: 32 }],
  ['int4, groups of 64', { bits: 4, groupSize: 64 }],
  ['int4, groups of 128 (= one scale per row of C = 128)', { bits: 4, groupSize: 128 }],
  ['int4, groups of 32, zero points', { bits: 4, groupSize: 32, zeroPoint: true }],
  ['int4, groups of 128, zero points', { bits: 4, groupSize: 128, zeroPoint: true }],
];
console.log('| format | model.safetensors | % of fp32 | held-out perplexity | vs fp32 |');
console.log('|---|---:|---:|---:|---:|');
let base = { bytes: 0, ppl: 0 };
for (const [label, o] of formats) {
  const { model, tokenizer } = loadPretrained(modelDir);
  model.eval();
  if (o) quantizeModel(model, o);
  const bytes = fileBytes(model);
  const ppl = evaluateText(gptLogits(model), tokenizer!, heldOut, { batchSize: 4 }).perplexity;
  if (!o) base = { bytes, ppl };
  const pct = ((100 * bytes) / base.bytes).toFixed(1);
  const d = o ? `${ppl >= base.ppl ? '+' : ''}${(100 * (ppl / base.ppl - 1)).toFixed(2)}%` : '';
  console.log(`| ${label} | ${(bytes / 1e6).toFixed(2)} MB | ${pct}% | ${ppl.toFixed(2)} | ${d} |`);
}

// 1. One row, the 16 int4 levels per row and per group.
const { model } = loadPretrained(modelDir);
const fc = (model.h.at(0).mlp as { c_fc: unknown }).c_fc as Linear;
const [rows, C] = fc.weight.shape;
let pick = 0;
let best = 0;
for (let r = 0; r < rows; r++) {
  const row = fc.weight.data.subarray(r * C, (r + 1) * C);
  let amax = 0;
  let sum = 0;
  for (const v of row) [amax, sum] = [Math.max(amax, Math.abs(v)), sum + Math.abs(v)];
  const ratio = amax / (sum / C); // the row whose largest weight stands out most
  if (ratio > best) [best, pick] = [ratio, r];
}
const w = Float32Array.from(fc.weight.data.subarray(pick * C, (pick + 1) * C));
const perRow = dequantizeInt4(quantizeInt4(w, 1, C, { groupSize: C }));
const grouped = dequantizeInt4(quantizeInt4(w, 1, C, { groupSize: 32 }));
const err = (q: Float32Array) => q.reduce((s, v, i) => s + Math.abs(v - w[i]), 0) / C;
atomicWriteFile(join(outDir, '13-int4-groups.svg'), rowSvg(w, pick, err(perRow), err(grouped)));
console.log(
  `\nrow ${pick} of h.0.mlp.c_fc: max|w| / mean|w| = ${best.toFixed(1)}; mean |w - ŵ| int4 per row ` +
    `${err(perRow).toExponential(2)}, groups of 32 ${err(grouped).toExponential(2)}`,
);

// 3. One outlier: a weight 10x the row's largest, and the rounding error of the rest of the row.
console.log('\n| row | int8 mean abs error | int4 (one scale) | int4 (groups of 32) |');
console.log('|---|---:|---:|---:|');
const typical = Float32Array.from(fc.weight.data.subarray(0, C));
const amax0 = typical.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const outlier = Float32Array.from(typical);
outlier[5] = 10 * amax0;
for (const [label, row] of [
  ['row 0 as trained', typical],
  ['the same row, one weight set to 10x its max', outlier],
] as const) {
  const rest = (q: Float32Array) =>
    q.reduce((s, v, i) => (i === 5 ? s : s + Math.abs(v - row[i])), 0) / (C - 1);
  const e8 = rest(dequantizeInt8(quantizeInt8(row, 1, C)));
  const e4 = rest(dequantizeInt4(quantizeInt4(row, 1, C, { groupSize: C })));
  const e4g = rest(dequantizeInt4(quantizeInt4(row, 1, C, { groupSize: 32 })));
  console.log(`| ${label} | ${e8.toExponential(2)} | ${e4.toExponential(2)} | ${e4g.toExponential(2)} |`);
}

/** The row's weights as dots, with int4's levels drawn per row (left half) and per group (right). */
function rowSvg(row: Float32Array, r: number, ePerRow: number, eGrouped: number): string {
  const W = 760,
    H = 520,
    L = 60,
    R = 20,
    panelH = 200,
    top = [50, 300];
  const amax = row.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const x = (j: number) => L + ((W - L - R) * (j + 0.5)) / row.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      'font-family="sans-serif" font-size="12">',
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">int4 levels on one weight row ` +
      `(h.0.mlp.c_fc row ${r}, ${row.length} weights)</text>`,
  ];
  const panel = (t: number, G: number, title: string) => {
    const y = (v: number) => t + panelH / 2 - ((panelH / 2 - 8) * v) / amax;
    parts.push(`<text x="${L}" y="${t - 6}">${title}</text>`);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(0)}" y2="${y(0)}" stroke="#999"/>`);
    for (let g = 0; g < row.length / G; g++) {
      const seg = row.subarray(g * G, (g + 1) * G);
      const s = seg.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 7;
      const [x0, x1] = [x(g * G) - 2, x((g + 1) * G - 1) + 2];
      for (let q = -8; q <= 7; q++)
        parts.push(
          `<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y(q * s).toFixed(1)}" ` +
            `y2="${y(q * s).toFixed(1)}" stroke="#c6dbef"/>`,
        );
      if (G < row.length && g > 0)
        parts.push(
          `<line x1="${x0}" x2="${x0}" y1="${t}" y2="${t + panelH}" stroke="#bbb" stroke-dasharray="3 3"/>`,
        );
    }
    row.forEach((v, j) =>
      parts.push(`<circle cx="${x(j).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.2" fill="#d62728"/>`),
    );
  };
  panel(top[0], row.length, `one scale for the row: mean |w - ŵ| = ${ePerRow.toExponential(2)}`);
  panel(top[1], 32, `one scale per group of 32: mean |w - ŵ| = ${eGrouped.toExponential(2)}`);
  parts.push(
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">column (blue lines: the 16 values each ` +
      'weight can round to)</text>',
  );
  parts.push('</svg>');
  return parts.join('\n');
}
