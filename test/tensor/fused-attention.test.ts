// The fused attention op against the readable composition softmax(q kᵀ / sqrt(hs)) v, and its
// backward against finite differences: causal with a cache offset, GQA, key padding.

import { test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { fusedAttention } from '../../src/tensor/ops/attention.js';
import { scaledDotProductAttention, paddingMask } from '../../src/model/index.js';
import { assertClose, assertGrad, leaf } from '../helpers/assert.js';

/** (B, T, n·hs) -> (B, n, T, hs) */
const heads = (x: T.Tensor, n: number) => x.reshape(x.shape[0], x.shape[1], n, -1).transpose(1, 2);

for (const c of [
  { name: 'causal MHA', B: 2, Tq: 5, Tk: 5, nh: 2, nkv: 2, hs: 3, causal: true, lengths: null },
  { name: 'causal GQA with 3 cached keys', B: 1, Tq: 2, Tk: 5, nh: 4, nkv: 2, hs: 2, causal: true, lengths: null },
  { name: 'bidirectional with key padding', B: 2, Tq: 3, Tk: 4, nh: 2, nkv: 1, hs: 3, causal: false, lengths: [4, 2] },
]) {
  test(`fused attention equals the composed reference and passes gradcheck: ${c.name}`, () => {
    const q = leaf([c.B, c.Tq, c.nh * c.hs], 1);
    const k = leaf([c.B, c.Tk, c.nkv * c.hs], 2);
    const v = leaf([c.B, c.Tk, c.nkv * c.hs], 3);
    const mask = c.lengths ? paddingMask(c.lengths, c.Tk) : null;
    const keyMask = mask ? mask.reshape(c.B, c.Tk) : null;
    const fused = fusedAttention(q, k, v, { nHead: c.nh, nKvHead: c.nkv, causal: c.causal, keyMask });
    const ref = scaledDotProductAttention(heads(q, c.nh), heads(k, c.nkv), heads(v, c.nkv), { causal: c.causal, mask }).out;
    assertClose(fused.data, ref.transpose(1, 2).reshape(c.B, c.Tq, -1).data, 1e-10, 1e-12);
    assertGrad((q, k, v) => fusedAttention(q, k, v, { nHead: c.nh, nKvHead: c.nkv, causal: c.causal, keyMask }), [q, k, v]);
  });
}

test('tiled attention (float32, blocks of 64 queries) equals the row-by-row reference kernel, forward and backward', async () => {
  const { attentionForward, attentionBackward } = await import('../../src/kernels/js/attention.js');
  const { tiledAttentionForward, tiledAttentionBackward } = await import('../../src/kernels/tiled-attention.js');
  for (const c of [
    { B: 2, Tq: 70, Tk: 70, nh: 4, nkv: 2, hs: 8, causal: true, mask: false },
    { B: 1, Tq: 3, Tk: 130, nh: 2, nkv: 2, hs: 5, causal: true, mask: false },
    { B: 2, Tq: 65, Tk: 9, nh: 3, nkv: 1, hs: 4, causal: false, mask: true },
  ]) {
    const rng = new T.Rng(c.B * 100 + c.Tq);
    const rnd = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const q = rnd(c.B * c.Tq * c.nh * c.hs), k = rnd(c.B * c.Tk * c.nkv * c.hs), v = rnd(c.B * c.Tk * c.nkv * c.hs), dout = rnd(q.length);
    const keyMask = c.mask ? Float32Array.from({ length: c.B * c.Tk }, (_, i) => (i % c.Tk < c.Tk - 2 * (Math.floor(i / c.Tk) + 1) ? 1 : 0)) : null;
    const dims = { B: c.B, Tq: c.Tq, Tk: c.Tk, nh: c.nh, nkv: c.nkv, hs: c.hs, scale: 1 / Math.sqrt(c.hs), causal: c.causal, keyMask };
    const run = (fwd: typeof attentionForward, bwd: typeof attentionBackward) => {
      const out = new Float32Array(q.length), lse = new Float64Array(c.B * c.nh * c.Tq);
      fwd(q, k, v, out, lse, dims);
      const dq = new Float32Array(q.length), dk = new Float32Array(k.length), dv = new Float32Array(v.length);
      bwd(q, k, v, out, lse, dout, dq, dk, dv, dims);
      return { out, lse, dq, dk, dv };
    };
    const ref = run(attentionForward, attentionBackward);
    const tiled = run(tiledAttentionForward, tiledAttentionBackward);
    for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) assertClose(tiled[key], ref[key], 1e-4, 1e-5, key);
  }
});
