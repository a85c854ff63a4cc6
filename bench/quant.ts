// Quantization benchmarks (chapter 13): for the gpt2 shape (124M, random weights: size and speed
// do not depend on the values) and, when `npm run pretrain-base` has made it, the model pretrained
// on the default corpus (out/base/best, where held-out perplexity means something): the size of
// model.safetensors and generation tokens/s with the KV cache for float32, int8 (per-row absmax)
// and int4 (groups of 32), each quantizing every Linear and the embedding tables.

import { existsSync } from 'node:fs';
import type { Suite, BenchRow } from './harness.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import { generate } from '../src/generate/index.js';
import { manualSeed } from '../src/tensor/rng.js';
import { quantizeModel } from '../src/quant/quantize-model.js';
import type { QuantizeOptions } from '../src/quant/quantized-linear.js';
import { quantizationConfig, quantizedWeights } from '../src/io/quant-layout.js';
import { safetensorsChunks } from '../src/io/safetensors.js';
import { loadPretrained } from '../src/io/load-pretrained.js';
import { evaluateText, gptLogits } from '../src/eval/perplexity.js';
import { defaultCorpus } from '../src/data/sotu.js';

const FORMATS: [string, QuantizeOptions | null][] = [
  ['fp32', null],
  ['int8', { bits: 8 }],
  ['int4-g32', { bits: 4, groupSize: 32 }],
];

/** Bytes of the model.safetensors a save would write (header + every tensor). */
function fileBytes(model: GPT): number {
  const tensors = quantizationConfig(model) ? quantizedWeights(model) : model.stateDict();
  return safetensorsChunks(tensors).reduce((n, c) => n + c.length, 0);
}

/** Decode tokens/s with the KV cache: N new tokens after a 1-token prompt, best of 3 after a warm-up. */
function decodeRate(model: GPT, n: number): number {
  generate(model, [0], { maxNewTokens: 8 }); // places quantized codes in wasm memory, warms the JIT
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    generate(model, [0], { maxNewTokens: n });
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return n / best;
}

export const quantSuite: Suite = {
  name: 'quant',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const row = (name: string, value: number, unit: string, note?: string) =>
      rows.push({ suite: 'quant', name, value, unit, note });

    let fp32Bytes = 0;
    let fp32Rate = 0;
    for (const [label, o] of FORMATS) {
      manualSeed(0);
      const model = new GPT(GPT_PRESETS.gpt2).eval();
      if (o) quantizeModel(model, o);
      const bytes = fileBytes(model);
      const rate = decodeRate(model, 32);
      if (!o) [fp32Bytes, fp32Rate] = [bytes, rate];
      row(
        `gpt2 ${label} model.safetensors`,
        bytes / 1e6,
        'MB',
        o ? `${((100 * bytes) / fp32Bytes).toFixed(1)}% of fp32` : undefined,
      );
      row(
        `gpt2 ${label} decode 32 tokens, KV cache`,
        rate,
        'tokens/s',
        o ? `${(rate / fp32Rate).toFixed(2)}x fp32` : undefined,
      );
    }

    const base = 'out/base/best';
    if (!existsSync(base)) {
      row('base model perplexity', NaN, '', `${base} missing: run npm run pretrain-base`);
      return rows;
    }
    const corpus = defaultCorpus();
    const heldOut = corpus.slice(Math.floor(corpus.length * 0.9)).slice(0, 60000); // the run's val tail
    let fp32Ppl = 0;
    for (const [label, o] of FORMATS) {
      const { model, tokenizer } = loadPretrained(base);
      model.eval();
      if (o) quantizeModel(model, o);
      const ppl = evaluateText(gptLogits(model), tokenizer!, heldOut, { batchSize: 4 }).perplexity;
      if (!o) fp32Ppl = ppl;
      const bytes = fileBytes(model);
      row(
        `base ${label} held-out perplexity`,
        ppl,
        '',
        o ? `${(100 * (ppl / fp32Ppl - 1)).toFixed(2)}% vs fp32` : '60k chars of the val tail',
      );
      row(`base ${label} model.safetensors`, bytes / 1e6, 'MB');
      row(`base ${label} decode 64 tokens, KV cache`, decodeRate(model, 64), 'tokens/s');
    }
    return rows;
  },
};
