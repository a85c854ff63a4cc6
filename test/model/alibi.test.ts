// ALiBi (Press et al., 2022): the slopes against the paper's values written out by hand and
// against its reference code (run by scripts/make-linear-attention-fixture.py), the bias matrix,
// a whole ALiBi GPT against PyTorch, cached generation, and a saved checkpoint.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { GPT, KVCache, MultiHeadAttention, type GPTConfigInput } from '../../src/model/index.js';
import { alibiSlopes, alibiBias } from '../../src/model/alibi.js';
import { generate } from '../../src/generate/index.js';
import { saveModel, loadModel } from '../../src/io/model-checkpoint.js';
import { assertClose } from '../helpers/assert.js';
import { removeHeads } from '../../src/prune/index.js';
import { checkGptCase } from './variant-golden.js';

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/linear-attention-golden.json', import.meta.url), 'utf8'),
);

test('ALiBi slopes for 8 heads: 1/2, 1/4, ..., 1/256 (the paper, section 3)', () => {
  const expected = [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256];
  assert.deepEqual(alibiSlopes(8), expected);
  assertClose(alibiSlopes(8), golden.cases.alibi_slopes['8'], 1e-15, 0);
});

test("ALiBi slopes for 12 heads: 8 heads' slopes, then every other slope of the 16-head sequence", () => {
  const r = Math.SQRT1_2; // 2^(-1/2)
  const expected = [
    ...[1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256],
    r, // 2^(-0.5)
    r / 2, // 2^(-1.5)
    r / 4, // 2^(-2.5)
    r / 8, // 2^(-3.5)
  ];
  assertClose(alibiSlopes(12), expected, 1e-15, 0);
  assertClose(alibiSlopes(12), golden.cases.alibi_slopes['12'], 1e-15, 0);
  assert.deepEqual(alibiSlopes(1), [2 ** -8]);
  assert.throws(() => alibiSlopes(0), /ALiBi: number of heads must be >= 1, got 0/);
});

test('ALiBi bias: -m_h · (i - j), and after a cache the queries sit at the end of the keys', () => {
  const b = alibiBias([0.5, 0.25], 3, 3); // (1, 2, 3, 3)
  assert.deepEqual(b.shape, [1, 2, 3, 3]);
  // head 0, query 2: keys 0, 1, 2 at distances 2, 1, 0
  assert.deepEqual(Array.from(b.data.slice(6, 9)), [-1, -0.5, -0]);
  // head 1, query 1: distances 1, 0
  assert.deepEqual(Array.from(b.data.slice(9 + 3, 9 + 5)), [-0.25, -0]);
  // one query after 4 cached keys sits at position 4
  assert.deepEqual(Array.from(alibiBias([0.5], 1, 5).data), [-2, -1.5, -1, -0.5, -0]);
});

test('ALiBi attention: each head adds its bias to the scores (a dense reference with the softmax written out)', () => {
  T.manualSeed(2);
  const mha = new MultiHeadAttention({ nEmbd: 8, nHead: 2, alibi: true });
  const x = T.randn([1, 4, 8]);
  const y = T.noGrad(() => mha.forward(x));
  // reference: softmax(q kᵀ/sqrt(hs) - m (i - j)) v, loops over heads, queries and keys
  const [q, k, v] = T.noGrad(() => mha.project(x)); // (1, 4, 8) each
  const m = alibiSlopes(2);
  const heads = new Float32Array(4 * 8);
  for (let h = 0; h < 2; h++) {
    for (let i = 0; i < 4; i++) {
      const s: number[] = [];
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let d = 0; d < 4; d++) dot += q.data[i * 8 + h * 4 + d] * k.data[j * 8 + h * 4 + d];
        s.push(dot / 2 - m[h] * (i - j));
      }
      const mx = Math.max(...s);
      const e = s.map((z) => Math.exp(z - mx));
      const Z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < 4; d++)
        heads[i * 8 + h * 4 + d] = e.reduce((acc, w, j) => acc + (w / Z) * v.data[j * 8 + h * 4 + d], 0);
    }
  }
  const expected = T.noGrad(() => mha.c_proj.forward(T.fromArray(heads, [1, 4, 8])));
  assertClose(y.data, expected.data, 1e-5, 1e-6);
});

test('torch golden: a 2-layer ALiBi GPT with 6 heads (no position embeddings), logits, loss and every gradient', () => {
  checkGptCase('gpt_alibi');
  const m = new GPT(golden.cases.gpt_alibi.config as GPTConfigInput);
  assert.equal(m.wpe, null);
  assert.ok(![...m.namedParameters()].some(([n]) => n.startsWith('wpe')));
});

const ALIBI: GPTConfigInput = {
  vocabSize: 17,
  blockSize: 24,
  nLayer: 2,
  nHead: 4,
  nEmbd: 16,
  positions: 'alibi',
};

function sharpGpt(seed: number, c: GPTConfigInput): GPT {
  T.manualSeed(seed);
  const m = new GPT(c);
  T.noGrad(() => {
    for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 4;
  });
  return m.eval();
}

test('ALiBi GPT: cached logits equal the full forward; cached generation equals uncached', () => {
  const model = sharpGpt(9, ALIBI);
  const ids = [2, 4, 6, 8, 10, 12, 1, 3];
  const full = T.noGrad(() => model.forward(T.tensor([ids])).logits);
  const cache = new KVCache(2);
  const parts = T.noGrad(() => [
    model.forward(T.tensor([ids.slice(0, 3)]), { cache }).logits,
    ...ids.slice(3).map((id) => model.forward(T.tensor([[id]]), { cache }).logits),
  ]);
  assertClose(T.cat(parts, 1).data, full.data, 1e-4, 1e-5);
  const a = generate(model, [5, 3, 1], { maxNewTokens: 12 });
  const b = generate(model, [5, 3, 1], { maxNewTokens: 12, useCache: false });
  assert.deepEqual(a.ids, b.ids);
});

test('ALiBi GPT: a saved checkpoint reloads with positions alibi and generates the same tokens', () => {
  const model = sharpGpt(10, ALIBI);
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-alibi-'));
  try {
    saveModel(dir, model);
    const back = loadModel(dir).model;
    assert.equal(back.config.positions, 'alibi');
    assert.deepEqual(back.h.at(0).attn.alibiSlopes, alibiSlopes(4));
    assert.deepEqual(
      generate(back, [1, 2], { maxNewTokens: 8 }).ids,
      generate(model, [1, 2], { maxNewTokens: 8 }).ids,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ALiBi GPT: removing heads (prune) is refused in one line, since the slopes depend on the head count', () => {
  const model = sharpGpt(11, ALIBI);
  const scores = [0, 1].map(() => [1, 2, 3, 4]);
  assert.throws(() => removeHeads(model, 1, scores), /prune: --heads on an ALiBi model is not supported/);
});
