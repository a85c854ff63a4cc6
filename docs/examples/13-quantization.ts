// Chapter 13, example: int8 and int4 quantization by hand on one row, then a whole model (the tiny
// GPT-2 fixture) quantized, saved in the quantized layout and loaded back.
//   npx tsx docs/examples/13-quantization.ts

import { join } from 'node:path';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { quantizeInt8, dequantizeInt8 } from '../../src/quant/int8.js';
import { quantizeInt4, dequantizeInt4, unpackNibbles } from '../../src/quant/int4.js';
import { quantizeModel } from '../../src/quant/quantize-model.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { evaluateText, gptLogits } from '../../src/eval/perplexity.js';
import { readFileSync } from 'node:fs';

// 1. One row of eight weights, with one large weight in it.
const w = [0.12, -0.05, 0.31, -0.27, 0.02, 1.5, -0.09, 0.2];
const q8 = quantizeInt8(w, 1, 8);
console.log(`int8: scale ${q8.scales[0].toFixed(5)}, codes [${Array.from(q8.q).join(', ')}]`);
const fmt = (xs: ArrayLike<number>) => Array.from(xs, (v) => v.toFixed(3)).join(', ');
console.log(`      back: [${fmt(dequantizeInt8(q8))}]`);
const q4 = quantizeInt4(w, 1, 8, { groupSize: 8 });
const codes = Array.from(unpackNibbles(q4.packed, 8), (c) => c - 8);
console.log(`int4, one group of 8: scale ${q4.scales[0].toFixed(4)}, codes [${codes.join(', ')}]`);
console.log(`      back: [${fmt(dequantizeInt4(q4))}]`);
const g4 = quantizeInt4(w, 1, 8, { groupSize: 4 });
console.log(`int4, two groups of 4: scales ${fmt(g4.scales)}`);
console.log(`      back: [${fmt(dequantizeInt4(g4))}]`);

// 2. A whole model: every Linear and both embedding tables.
const fixture = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'hf-gpt2');
const text = readFileSync(join(fixture, 'eval.txt'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'llmfs-ch13-'));
for (const o of [null, { bits: 8 as const }, { bits: 4 as const, groupSize: 16 }]) {
  const { model, tokenizer } = loadPretrained(join(fixture, 'tiny'));
  model.eval();
  const name = o ? (o.bits === 8 ? 'int8' : 'int4-g16') : 'fp32';
  const report = o ? quantizeModel(model, o) : null;
  saveModel(join(dir, name), model, { tokenizer });
  const bytes = statSync(join(dir, name, 'model.safetensors')).size;
  // Loaded back from disk, the quantized model scores a text as the one in memory did.
  const back = loadPretrained(join(dir, name)).model;
  const ppl = evaluateText(gptLogits(back), tokenizer!, text).perplexity;
  const layers = report ? `${report.layers.length} layers quantized, ` : '';
  console.log(
    `${name.padEnd(8)} ${layers}model.safetensors ${(bytes / 1024).toFixed(0)} KiB, perplexity ${ppl.toFixed(0)}`,
  );
}
