// Structural properties of the transformer that hold for any weights: causality, padding,
// RoPE's relative positions, GQA reducing to MHA, and the readable single head agreeing with
// the fused multi-head form.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import {
  GPT,
  MultiHeadAttention,
  AttentionHead,
  EncoderDecoder,
  ropeTables,
  applyRope,
  scaledDotProductAttention,
  causalMask,
  paddingMask,
  sinusoidalTable,
  KVCache,
  gptPreset,
} from '../../src/model/index.js';
import { assertClose } from '../helpers/assert.js';

const tiny = { vocabSize: 50, blockSize: 16, nLayer: 2, nHead: 4, nEmbd: 32 };

test('causality: changing a future token never changes earlier logits (learned, RoPE, GQA)', () => {
  for (const extra of [
    {},
    { positions: 'rope' as const, nKvHead: 2 },
    { positions: 'sinusoidal' as const, norm: 'rmsnorm' as const, mlp: 'swiglu' as const },
  ]) {
    T.manualSeed(1);
    const model = new GPT({ ...tiny, ...extra });
    const a = [[5, 7, 9, 11, 13, 15, 17, 19]];
    const b = [[5, 7, 9, 11, 40, 41, 42, 43]];
    const la = model.forward(T.tensor(a)).logits;
    const lb = model.forward(T.tensor(b)).logits;
    assertClose(la.narrow(1, 0, 4).data, lb.narrow(1, 0, 4).data, 0, 0, 'logits before the change');
    assert.notDeepEqual(la.narrow(1, 4, 1).toList(), lb.narrow(1, 4, 1).toList());
  }
});

test('padding: padded key positions do not change the outputs of real positions', () => {
  T.manualSeed(2);
  const model = new GPT({ ...tiny, positions: 'rope' });
  // Sequence of 5 real tokens, then 3 padding tokens (arbitrary ids), masked.
  const real = [3, 1, 4, 1, 5];
  const l1 = model.forward(T.tensor([[...real, 9, 9, 9]]), {
    attentionMask: T.tensor([[1, 1, 1, 1, 1, 0, 0, 0]]),
  }).logits;
  const l2 = model.forward(T.tensor([[...real, 2, 7, 1]]), {
    attentionMask: T.tensor([[1, 1, 1, 1, 1, 0, 0, 0]]),
  }).logits;
  const l0 = model.forward(T.tensor([real])).logits;
  assertClose(l1.narrow(1, 0, 5).data, l0.data, 1e-5, 1e-6);
  assertClose(l2.narrow(1, 0, 5).data, l0.data, 1e-5, 1e-6);
  // Encoder-decoder: source padding does not change the decoder's outputs.
  T.manualSeed(3);
  const ed = new EncoderDecoder({
    srcVocabSize: 10,
    tgtVocabSize: 10,
    dModel: 16,
    nHead: 2,
    nEncoderLayer: 1,
    nDecoderLayer: 1,
    padId: 0,
  });
  const tgt = T.tensor([[1, 5, 6]]);
  const short = ed.decode(tgt, ed.encode(T.tensor([[4, 5, 6]])));
  const padded = ed.decode(tgt, ed.encode(T.tensor([[4, 5, 6, 0, 0]])));
  assertClose(padded.data, short.data, 1e-5, 1e-6);
  // Left-padded query rows that see no key at all produce zeros, not NaN.
  const r = scaledDotProductAttention(T.randn([1, 1, 2, 4]), T.randn([1, 1, 2, 4]), T.randn([1, 1, 2, 4]), {
    mask: paddingMask([0], 2),
  });
  assert.ok(r.out.data.every((v) => v === 0));
});

test('RoPE: attention scores depend only on the offset between positions', () => {
  const hs = 8;
  const tables = ropeTables(64, hs);
  const q = T.randn([1, 1, 1, hs], { rng: new T.Rng(4) });
  const k = T.randn([1, 1, 1, hs], { rng: new T.Rng(5) });
  const score = (m: number, n: number) =>
    applyRope(q, tables, m)
      .mul(applyRope(k, tables, n))
      .sum()
      .item();
  for (const [m, n] of [
    [3, 1],
    [10, 2],
    [7, 7],
  ]) {
    for (const shift of [1, 5, 20]) assertClose([score(m + shift, n + shift)], [score(m, n)], 1e-4, 1e-5);
  }
  // ... and rotation preserves each vector's norm.
  assertClose([applyRope(q, tables, 9).pow(2).sum().item()], [q.pow(2).sum().item()], 1e-5);
});

test('sinusoidal table: sin on even and cos on odd channels', () => {
  const pe = sinusoidalTable(10, 4).toArray() as number[][];
  assertClose(
    [pe[3][0], pe[3][1], pe[3][2], pe[3][3]],
    [Math.sin(3), Math.cos(3), Math.sin(3 / 100), Math.cos(3 / 100)],
    1e-6,
  );
});

test('GQA with nKvHead = nHead is standard multi-head attention; GQA matches repeated kv heads', () => {
  T.manualSeed(6);
  const mha = new MultiHeadAttention({ nEmbd: 16, nHead: 4 });
  const gqa = new MultiHeadAttention({ nEmbd: 16, nHead: 4, nKvHead: 4 });
  gqa.loadStateDict(mha.stateDict());
  const x = T.randn([2, 5, 16]);
  assertClose(gqa.forward(x).data, mha.forward(x).data, 0, 0);
  // nKvHead = 2: equal to MHA whose k/v weights repeat each kv head for its two query heads.
  const g2 = new MultiHeadAttention({ nEmbd: 16, nHead: 4, nKvHead: 2 });
  const w = g2.c_attn!.weight.narrow(0, 0, 16); // q rows (16, 16)
  const kRows = g2.c_attn!.weight.narrow(0, 16, 8); // 2 kv heads x hs 4
  const vRows = g2.c_attn!.weight.narrow(0, 24, 8);
  const rep = (t: T.Tensor) =>
    T.cat([t.narrow(0, 0, 4), t.narrow(0, 0, 4), t.narrow(0, 4, 4), t.narrow(0, 4, 4)], 0);
  const b = g2.c_attn!.bias!;
  const big = new MultiHeadAttention({ nEmbd: 16, nHead: 4 });
  big.loadStateDict({
    'c_attn.weight': T.cat([w, rep(kRows), rep(vRows)], 0),
    'c_attn.bias': T.cat(
      [
        b.narrow(0, 0, 16),
        rep(b.narrow(0, 16, 8).reshape(8, 1)).reshape(16),
        rep(b.narrow(0, 24, 8).reshape(8, 1)).reshape(16),
      ],
      0,
    ),
    'c_proj.weight': g2.c_proj.weight,
    'c_proj.bias': g2.c_proj.bias!,
  });
  assertClose(g2.forward(x).data, big.forward(x).data, 1e-5, 1e-6);
});

test('a single explicit attention head equals one head of the fused multi-head form', () => {
  T.manualSeed(7);
  const head = new AttentionHead(16, 16);
  const mha = new MultiHeadAttention({ nEmbd: 16, nHead: 1 });
  mha.loadStateDict({
    'c_attn.weight': T.cat([head.query.weight, head.key.weight, head.value.weight], 0),
    'c_attn.bias': T.cat([head.query.bias!, head.key.bias!, head.value.bias!], 0),
    'c_proj.weight': T.eye(16),
    'c_proj.bias': T.zeros([16]),
  });
  const x = T.randn([2, 6, 16]);
  const rec: { weights?: T.Tensor } = {};
  assertClose(mha.forward(x).data, head.forward(x, rec).data, 1e-5, 1e-6);
  assertClose(rec.weights!.sum(-1).data, Array(12).fill(1), 1e-5);
});

test('separate q/k/v projections equal the fused c_attn with the same weights', () => {
  T.manualSeed(8);
  const fused = new MultiHeadAttention({ nEmbd: 16, nHead: 4, nKvHead: 2 });
  const sep = new MultiHeadAttention({ nEmbd: 16, nHead: 4, nKvHead: 2, fusedQkv: false });
  const W = fused.c_attn!.weight;
  const B = fused.c_attn!.bias!;
  sep.loadStateDict({
    'q_proj.weight': W.narrow(0, 0, 16),
    'q_proj.bias': B.narrow(0, 0, 16),
    'k_proj.weight': W.narrow(0, 16, 8),
    'k_proj.bias': B.narrow(0, 16, 8),
    'v_proj.weight': W.narrow(0, 24, 8),
    'v_proj.bias': B.narrow(0, 24, 8),
    'c_proj.weight': fused.c_proj.weight,
    'c_proj.bias': fused.c_proj.bias!,
  });
  const x = T.randn([1, 5, 16]);
  assertClose(sep.forward(x).data, fused.forward(x).data, 1e-5, 1e-6);
});

test('causal mask with a cache offset, and the KV cache gives the same logits as a full pass', () => {
  assert.deepEqual(causalMask(2, 4).toArray(), [
    [1, 1, 1, 0],
    [1, 1, 1, 1],
  ]);
  for (const extra of [{}, { positions: 'rope' as const, nKvHead: 2 }]) {
    T.manualSeed(9);
    const model = new GPT({ ...tiny, ...extra }).eval();
    const ids = [4, 8, 15, 16, 23, 42];
    const full = model.forward(T.tensor([ids])).logits;
    const cache = new KVCache(tiny.nLayer);
    const first = model.forward(T.tensor([ids.slice(0, 3)]), { cache }).logits;
    assertClose(first.data, full.narrow(1, 0, 3).data, 1e-5, 1e-6);
    for (let t = 3; t < ids.length; t++) {
      const step = model.forward(T.tensor([[ids[t]]]), { cache }).logits;
      assertClose(step.data, full.narrow(1, t, 1).data, 1e-4, 1e-5, `position ${t}`);
    }
    assert.equal(cache.length, ids.length);
  }
});

test('attention weights are returned for visualisation and rows sum to 1', () => {
  T.manualSeed(10);
  const model = new GPT(tiny);
  const record: T.Tensor[] = [];
  model.forward(T.tensor([[1, 2, 3, 4]]), { recordAttention: record });
  assert.equal(record.length, 2);
  assert.deepEqual(record[0].shape, [1, 4, 4, 4]);
  assertClose(record[0].sum(-1).data, Array(16).fill(1), 1e-5);
  assert.equal((record[0].toArray() as number[][][][])[0][0][0][1], 0); // the future gets no weight
});

test('bad model input gets clear errors', () => {
  const model = new GPT(tiny);
  assert.throws(() => model.forward(T.tensor([1, 2, 3])), /GPT: token ids must be \(B, T\), got shape \(3\)/);
  assert.throws(
    () => model.forward(T.zeros([1, 17])),
    /sequence of 17 positions exceeds the context window of 16/,
  );
  assert.throws(
    () => model.forward(T.tensor([[1, 99]])),
    /index 99 at position 1 is out of range for size 50/,
  );
  assert.throws(() => new GPT({ ...tiny, nHead: 5 }), /nEmbd 32 must be divisible by nHead 5/);
  assert.throws(() => new GPT({ ...tiny, nKvHead: 3 }), /nKvHead 3 must divide nHead 4/);
  assert.throws(() => new GPT({ ...tiny, positions: 'fourier' as never }), /positions must be one of/);
  assert.throws(() => new GPT({ ...tiny, nLayers: 3 } as never), /unknown field 'nLayers'/);
});

test('the gpt2 preset has exactly 124,439,808 parameters (tied head counted once)', () => {
  const model = new GPT(gptPreset('gpt2'));
  assert.equal(model.numParameters(), 124_439_808);
  assert.equal(model.namedParameters()[0][0], 'wte.weight');
  assert.equal(model.lm_head, null);
});

test('KV cache: extending an older cache view (a branch) never overwrites the newer one', async () => {
  const { appendKv } = await import('../../src/model/kv-cache.js');
  const layer = { k: null as T.Tensor | null, v: null as T.Tensor | null };
  T.noGrad(() => {
    appendKv(layer, T.tensor([[[1, 1]]]), T.tensor([[[1, 1]]]));
    const base = { k: layer.k, v: layer.v };
    const a = appendKv(layer, T.tensor([[[2, 2]]]), T.tensor([[[2, 2]]])); // main line: rows 1, 2
    const branch = { ...base };
    const b = appendKv(branch, T.tensor([[[9, 9]]]), T.tensor([[[9, 9]]])); // branch from row 1
    assert.deepEqual(a.k.toArray(), [
      [
        [1, 1],
        [2, 2],
      ],
    ]);
    assert.deepEqual(b.k.toArray(), [
      [
        [1, 1],
        [9, 9],
      ],
    ]);
  });
});
