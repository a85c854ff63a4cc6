// modelSize against outside references: the parameter counts the six published models report
// (Hugging Face num_parameters(), tied heads counted once) from their config.json files, the
// parameters of a built Qwen3-layout model (QK-norm gains included), and the bytes a real KV cache
// holds after a grouped-query model has read some tokens.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PUBLISHED_CONFIGS } from '../../docs/examples/16-published-configs.js';
import { gptConfigFromHf } from '../../src/io/hf-gpt2.js';
import { llamaConfigFromHf } from '../../src/io/hf-llama-config.js';
import { modelSize } from '../../src/model/param-count.js';
import { gptParameterShapes } from '../../src/model/param-shapes.js';
import { GPT } from '../../src/model/gpt.js';
import { KVCache } from '../../src/model/kv-cache.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';

// As the model cards and num_parameters() give them (Mistral 7B: 7.24B; Qwen3-0.6B: 0.6B, 0.44B
// without embeddings).
const PUBLISHED_COUNTS: Record<string, number> = {
  'GPT-2 124M': 124_439_808,
  'Llama 3.2 1B': 1_235_814_400,
  'Qwen2.5 0.5B': 494_032_768,
  'Qwen3 0.6B': 596_049_920,
  'SmolLM2 135M': 134_515_008,
  'Mistral 7B v0.1': 7_241_732_096,
};

for (const [name, raw] of Object.entries(PUBLISHED_CONFIGS)) {
  test(`modelSize: ${name}'s config.json gives its published parameter count`, () => {
    const c = raw.model_type === 'gpt2' ? gptConfigFromHf(raw).config : llamaConfigFromHf(raw).config;
    assert.equal(modelSize(c).parameters, PUBLISHED_COUNTS[name]);
  });
}

const qwen3Like = {
  vocabSize: 40,
  blockSize: 16,
  nLayer: 2,
  nHead: 4,
  nKvHead: 2,
  nEmbd: 24,
  headDim: 8, // nh·hs = 32 ≠ C, as in Qwen3
  mlpHidden: 40,
  positions: 'rope',
  norm: 'rmsnorm',
  mlp: 'swiglu',
  bias: false,
  qkvBias: false,
  qkNorm: true,
  tieWeights: true,
} as const;

test('parameter shapes: a QK-norm model lists its q_norm and k_norm gains as the built model does', () => {
  manualSeed(0);
  const m = new GPT(qwen3Like);
  const built = m.namedParameters().map(([n, p]) => ({ name: n, shape: [...p.shape] }));
  assert.deepEqual(
    gptParameterShapes(qwen3Like).map((p) => ({ name: p.name, shape: p.shape })),
    built,
  );
  assert.equal(modelSize(qwen3Like).parameters, m.numParameters());
});

test('modelSize: the KV bytes per token are what a grouped-query model’s cache holds per token read', () => {
  manualSeed(1);
  const m = new GPT(qwen3Like);
  m.eval();
  const cache = new KVCache(qwen3Like.nLayer);
  const ids = [3, 1, 4, 1, 5, 9, 2];
  noGrad(() => m.forward(new Tensor(Float32Array.from(ids), [1, ids.length]), { cache }));
  let floats = 0;
  for (const l of cache.layers) floats += (l.k?.size ?? 0) + (l.v?.size ?? 0);
  assert.equal((floats * 4) / ids.length, modelSize(qwen3Like, 4).kvBytesPerToken);
  // 2 (K, V) · 2 layers · 2 kv heads · 8 channels · 4 bytes: half of what 4 full heads would cache
  assert.equal(modelSize(qwen3Like, 4).kvBytesPerToken, 256);
});

test('modelSize: a sliding window caps the cache at W tokens (Mistral keeps 4,096)', () => {
  const s = modelSize(llamaConfigFromHf(PUBLISHED_CONFIGS['Mistral 7B v0.1']).config, 2);
  assert.equal(s.kvMaxTokens, 4096);
  assert.equal(s.kvBytesPerToken, 2 * 32 * 8 * 128 * 2);
});
