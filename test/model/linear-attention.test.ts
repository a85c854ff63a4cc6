// Linear attention (Katharopoulos et al., 2020): the parallel prefix-sum form against PyTorch's
// quadratic form (scripts/make-linear-attention-fixture.py), its gradients against finite
// differences, the recurrent form against the parallel one, a whole linear-attention GPT against
// PyTorch, and generation through the O(1) recurrent state against uncached generation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { cumsum } from '../../src/tensor/ops/cumsum.js';
import { causalLinearAttention } from '../../src/tensor/ops/causal-linear-attention.js';
import { GPT, KVCache, type GPTConfigInput } from '../../src/model/index.js';
import { checkGptCase } from './variant-golden.js';
import {
  eluFeatureMap,
  emptyLinearState,
  linearAttention,
  linearAttentionRecurrent,
  linearAttentionState,
  linearAttentionWeights,
  linearAttentionFused,
} from '../../src/model/linear-attention.js';
import { generate, beamSearch } from '../../src/generate/index.js';
import { saveModel, loadModel } from '../../src/io/model-checkpoint.js';
import { AdamW } from '../../src/train/index.js';
import { assertClose, assertGrad, leaf } from '../helpers/assert.js';

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/linear-attention-golden.json', import.meta.url), 'utf8'),
);
const RTOL = 1e-4;
const ATOL = 1e-5;

test('feature map: φ(x) = elu(x) + 1, positive, x + 1 above zero and e^x below', () => {
  const y = eluFeatureMap(T.tensor([-3, -0.5, 0, 0.5, 2]));
  assertClose(y.data, [Math.exp(-3), Math.exp(-0.5), 1, 1.5, 3], 1e-6, 1e-7);
  assertGrad((x) => eluFeatureMap(x), [leaf([7], 1)]);
});

test('cumsum: prefix sums along an axis, and its backward (the reverse cumsum) by finite differences', () => {
  const y = cumsum(
    T.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    1,
  );
  assert.deepEqual(Array.from(y.data), [1, 3, 6, 4, 9, 15]);
  assert.deepEqual(
    Array.from(
      cumsum(
        T.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        0,
      ).data,
    ),
    [1, 2, 3, 5, 7, 9],
  );
  for (const axis of [0, 1, 2]) assertGrad((x) => cumsum(x, axis), [leaf([3, 4, 2], 2 + axis)]);
});

for (const [name, causal] of [
  ['linear_core', true],
  ['linear_core_noncausal', false],
] as const) {
  test(`torch golden: ${causal ? 'causal' : 'non-causal'} linear attention, output and q, k, v gradients`, () => {
    const c = golden.cases[name];
    const [q, k, v] = [c.q, c.k, c.v].map((d: number[]) => T.fromArray(d, c.shape, { requiresGrad: true }));
    const out = linearAttention(q, k, v, causal);
    out.backward(T.fromArray(c.upstream, out.shape));
    assertClose(out.data, c.out, RTOL, ATOL, 'output');
    assertClose(q.grad!.data, c.qGrad, RTOL, ATOL, 'dq');
    assertClose(k.grad!.data, c.kGrad, RTOL, ATOL, 'dk');
    assertClose(v.grad!.data, c.vGrad, RTOL, ATOL, 'dv');
  });
}

test('linear attention: gradients of the parallel form (causal and not) pass finite differences', () => {
  const shape = [2, 2, 5, 3];
  for (const causal of [true, false]) {
    assertGrad(
      (q, k, v) => linearAttention(q, k, v, causal),
      [leaf(shape, 10), leaf(shape, 11), leaf(shape, 12)],
    );
  }
});

test('fused causal linear attention: equals the prefix-sum form, output and gradients, and passes finite differences', () => {
  const [B, nh, Tn, hs, hv] = [2, 2, 7, 3, 4];
  const q = leaf([B, nh, Tn, hs], 50);
  const k = leaf([B, nh, Tn, hs], 51);
  const v = leaf([B, nh, Tn, hs], 52);
  const ref = linearAttention(q, k, v);
  const fused = linearAttentionFused(q, k, v);
  assertClose(fused.data, ref.data, 1e-12, 1e-12, 'output');
  const upstream = leaf([B, nh, Tn, hs], 53);
  ref.backward(upstream);
  const refGrads = [q, k, v].map((t) => Float64Array.from(t.grad!.data));
  for (const t of [q, k, v]) t.grad = null;
  fused.backward(upstream);
  [q, k, v].forEach((t, i) => assertClose(t.grad!.data, refGrads[i], 1e-10, 1e-12, `grad ${'qkv'[i]}`));
  // the op itself, on positive features and values of another width
  const fq = leaf([1, 2, 5, hs], 54).exp().detach().requireGrad();
  const fk = leaf([1, 2, 5, hs], 55).exp().detach().requireGrad();
  assertGrad((a, b, c) => causalLinearAttention(a, b, c), [fq, fk, leaf([1, 2, 5, hv], 56)]);
});

test('torch golden: the fused causal op matches PyTorch too', () => {
  const c = golden.cases.linear_core;
  const [q, k, v] = [c.q, c.k, c.v].map((d: number[]) => T.fromArray(d, c.shape, { requiresGrad: true }));
  const out = linearAttentionFused(q, k, v);
  out.backward(T.fromArray(c.upstream, out.shape));
  assertClose(out.data, c.out, RTOL, ATOL, 'output');
  assertClose(q.grad!.data, c.qGrad, RTOL, ATOL, 'dq');
  assertClose(k.grad!.data, c.kGrad, RTOL, ATOL, 'dk');
  assertClose(v.grad!.data, c.vGrad, RTOL, ATOL, 'dv');
});

test('linear attention: the recurrent form equals the parallel form, token by token and after a parallel prefix', () => {
  const [B, nh, Tn, hs] = [2, 3, 9, 4];
  const q = leaf([B, nh, Tn, hs], 20);
  const k = leaf([B, nh, Tn, hs], 21);
  const v = leaf([B, nh, Tn, hs], 22);
  const parallel = linearAttention(q, k, v); // (B, nh, T, hs)
  // from an empty state, every token through the recurrence
  const state = emptyLinearState(B, nh, hs, hs, 'float64');
  assertClose(linearAttentionRecurrent(q, k, v, state).data, parallel.data, 1e-12, 1e-12, 'recurrent');
  assert.equal(state.length, Tn);
  // the first 4 positions in parallel, the state they leave, then the rest one token at a time
  const head = (t: T.Tensor, s: number, n: number) => t.narrow(2, s, n);
  const st = linearAttentionState(head(k, 0, 4), head(v, 0, 4));
  const parts = [linearAttention(head(q, 0, 4), head(k, 0, 4), head(v, 0, 4))];
  for (let t = 4; t < Tn; t++)
    parts.push(linearAttentionRecurrent(head(q, t, 1), head(k, t, 1), head(v, t, 1), st));
  assertClose(T.cat(parts, 2).data, parallel.data, 1e-12, 1e-12, 'prefix + recurrent');
  // and the state after the whole sequence is the same both ways
  assertClose(st.S.data, state.S.data, 1e-12, 1e-12, 'S');
  assertClose(st.z.data, state.z.data, 1e-12, 1e-12, 'z');
});

test('linear attention: gradients through the recurrent form pass finite differences', () => {
  const shape = [1, 2, 4, 3];
  assertGrad(
    (q, k, v) => linearAttentionRecurrent(q, k, v, emptyLinearState(1, 2, 3, 3, 'float64')),
    [leaf(shape, 30), leaf(shape, 31), leaf(shape, 32)],
  );
});

test('linear attention: the implied weights are causal, sum to 1, and reproduce the output', () => {
  const shape = [1, 2, 6, 3];
  const [q, k, v] = [leaf(shape, 40), leaf(shape, 41), leaf(shape, 42)];
  const w = linearAttentionWeights(q, k); // (1, 2, 6, 6)
  for (let r = 0; r < 12; r++) {
    const i = r % 6;
    let s = 0;
    for (let j = 0; j < 6; j++) {
      if (j > i) assert.equal(w.data[r * 6 + j], 0);
      s += w.data[r * 6 + j];
    }
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
  assertClose(w.matmul(v).data, linearAttention(q, k, v).data, 1e-12, 1e-12);
});

test('torch golden: a 2-layer GPT with linear attention and grouped kv heads, logits, loss and every gradient', () => {
  checkGptCase('gpt_linear');
});

const LINEAR: GPTConfigInput = {
  vocabSize: 17,
  blockSize: 24,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  attention: 'linear',
};

function sharpGpt(seed: number, c: GPTConfigInput): GPT {
  T.manualSeed(seed);
  const m = new GPT(c);
  // larger weights than GPT-2's 0.02, so the attention output matters to the logits
  T.noGrad(() => {
    for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 6;
  });
  return m.eval();
}

test('linear GPT: logits through the recurrent state, chunk by chunk, equal the parallel forward', () => {
  const model = sharpGpt(3, LINEAR);
  const ids = [[1, 5, 2, 9, 3, 3, 7, 0, 4, 11]];
  const full = T.noGrad(() => model.forward(T.tensor(ids)).logits); // (1, 10, V)
  const cache = new KVCache(2);
  const steps: T.Tensor[] = [];
  T.noGrad(() => {
    steps.push(model.forward(T.tensor([ids[0].slice(0, 4)]), { cache }).logits); // parallel prefill
    for (let t = 4; t < 10; t++) steps.push(model.forward(T.tensor([[ids[0][t]]]), { cache }).logits);
  });
  assertClose(T.cat(steps, 1).data, full.data, 1e-4, 1e-4);
  assert.equal(cache.length, 10);
  // the cache holds S (nh, hs, hs) and z (nh, 1, hs) per layer, whatever the length
  assert.equal(cache.size, 2 * (2 * 8 * 8 + 2 * 8));
  assert.equal(cache.layers[0].k, null);
});

test('linear GPT: cached generation (O(1) state per token) equals uncached generation, and the state does not grow', () => {
  const model = sharpGpt(4, LINEAR);
  const prompt = [3, 1, 4, 1, 5];
  const cached = generate(model, prompt, { maxNewTokens: 12 });
  const uncached = generate(model, prompt, { maxNewTokens: 12, useCache: false });
  assert.deepEqual(cached.ids, uncached.ids);
  assert.equal(new Set(cached.ids).size > 1, true, 'a peaked model still varies its tokens');
  const short = generate(model, prompt, { maxNewTokens: 2 });
  assert.equal(cached.cacheFloats, short.cacheFloats);
  assert.equal(cached.cacheFloats, 2 * (2 * 8 * 8 + 2 * 8));
  // sampling too, with the same seed
  const a = generate(model, prompt, { maxNewTokens: 10, strategy: 'sample', seed: 7 });
  const b = generate(model, prompt, { maxNewTokens: 10, strategy: 'sample', seed: 7, useCache: false });
  assert.deepEqual(a.ids, b.ids);
});

test('linear GPT: beam search reorders the recurrent state with the beams and equals the uncached search', () => {
  const model = sharpGpt(12, LINEAR);
  const o = { beams: 3, maxNewTokens: 8, numReturnSequences: 3 };
  const a = beamSearch(model, [2, 9], o);
  const b = beamSearch(model, [2, 9], { ...o, useCache: false });
  assert.deepEqual(
    a.map((h) => h.ids),
    b.map((h) => h.ids),
  );
  a.forEach((h, i) => assert.ok(Math.abs(h.score - b[i].score) < 1e-4));
});

test('linear GPT: a saved checkpoint reloads as linear attention and generates the same tokens', () => {
  const model = sharpGpt(5, { ...LINEAR, qkNorm: true });
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-linear-'));
  try {
    saveModel(dir, model);
    const back = loadModel(dir).model;
    assert.equal(back.config.attention, 'linear');
    assert.equal(back.config.qkNorm, true);
    const prompt = [2, 7, 1];
    assert.deepEqual(
      generate(back, prompt, { maxNewTokens: 8 }).ids,
      generate(model, prompt, { maxNewTokens: 8 }).ids,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('linear GPT: trains through the parallel form (the loss on a repeating sequence falls below a tenth)', () => {
  T.manualSeed(6);
  const model = new GPT({ ...LINEAR, nLayer: 1 });
  const opt = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0 });
  const seq = Array.from({ length: 17 }, (_, i) => (i * 5) % 7); // period 7
  const x = T.tensor([seq.slice(0, 16)]);
  const y = T.tensor([seq.slice(1, 17)]);
  let first = 0;
  let last = 0;
  for (let step = 0; step < 60; step++) {
    const { loss } = model.forward(x, { targets: y });
    if (step === 0) first = loss!.item();
    last = loss!.item();
    opt.zeroGrad();
    loss!.backward();
    opt.step();
  }
  assert.ok(last < first / 10, `loss ${first} -> ${last}`);
});

test('bad input: linear attention with ALiBi, an unbuilt attention kind, a padding mask: one clear line each', () => {
  assert.throws(
    () => new GPT({ ...LINEAR, positions: 'alibi' }),
    /positions 'alibi' biases softmax scores; attention 'linear' has none/,
  );
  assert.throws(
    () => new GPT({ ...LINEAR, attention: 'bogus' as 'linear' }),
    /attention must be one of full, sliding, sparse-strided, sparse-fixed, linear, got 'bogus'/,
  );
  const model = sharpGpt(8, LINEAR);
  assert.throws(
    () => model.forward(T.tensor([[1, 2]]), { attentionMask: T.tensor([[1, 0]]) }),
    /linear attention: attention masks \(padding\) are not supported/,
  );
});
