// Chapter 8, example 2: the KV cache changes the work, not the answer. Cached and uncached greedy
// decoding give the same logits at every step and the same tokens; the cache feeds each position
// through the model once instead of once per later step.   npx tsx docs/examples/08-kv-cache.ts

import { GPT, GPT_PRESETS, gptConfig } from '../../src/model/index.js';
import { generate, gptLm } from '../../src/generate/index.js';
import { manualSeed } from '../../src/tensor/index.js';
import { resetBackend } from '../../src/kernels/backend.js';

resetBackend();
for (const positions of ['learned', 'rope'] as const) {
  manualSeed(0);
  const model = new GPT({
    vocabSize: 50,
    blockSize: 64,
    nLayer: 2,
    nHead: 4,
    nKvHead: 2,
    nEmbd: 32,
    positions,
  });
  const lm = gptLm(model);
  let fed = 0; // positions pushed through the model
  const counting: typeof lm = {
    ...lm,
    forward: (ids, cache) => ((fed += ids.shape[1]), lm.forward(ids, cache)),
  };
  const prompt = [1, 2, 3, 4, 5, 6, 7, 8];
  const o = { maxNewTokens: 40, keepLogits: true, repetitionPenalty: 2 };
  const cached = generate(counting, prompt, o);
  const fedCached = fed;
  fed = 0;
  const uncached = generate(counting, prompt, { ...o, useCache: false });
  let maxDiff = 0;
  cached.logits!.forEach((l, i) =>
    l.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - uncached.logits![i][j])))),
  );
  console.log(`${positions} positions, GQA 4 query / 2 kv heads, 8-token prompt, 40 new tokens:`);
  console.log(
    `  same tokens: ${cached.ids.join(',') === uncached.ids.join(',')}; largest logit difference below 1e-5: ${maxDiff < 1e-5}`,
  );
  console.log(`  positions fed through the model: ${fedCached} with the cache, ${fed} without`);
  console.log(
    `  cache holds ${cached.cacheFloats} floats = 2 layers x 2 (k, v) x 2 kv heads x ${8 + 39} positions x 8 (head size)`,
  );
}

// Memory: 2 (k and v) · nLayer · nKvHead · hs floats per position, per sequence.
const c = gptConfig(GPT_PRESETS.gpt2);
const perPosition = 2 * c.nLayer * c.nKvHead * (c.nEmbd / c.nHead);
console.log(
  `\ngpt2: 2 x ${c.nLayer} layers x ${c.nKvHead} heads x ${c.nEmbd / c.nHead} = ${perPosition} floats per position = ${(perPosition * 4) / 1024} KiB in float32`,
);
for (const T of [256, 1024])
  console.log(
    `  ${String(T).padStart(4)} positions: ${((perPosition * 4 * T) / 2 ** 20).toFixed(0)} MiB per sequence (x batch size)`,
  );
console.log(
  `  with 4 kv heads (GQA) instead of 12: ${((2 * c.nLayer * 4 * 64 * 4 * 1024) / 2 ** 20).toFixed(0)} MiB at 1024 positions`,
);
