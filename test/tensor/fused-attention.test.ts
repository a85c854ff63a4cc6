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
  {
    name: 'causal GQA with 3 cached keys',
    B: 1,
    Tq: 2,
    Tk: 5,
    nh: 4,
    nkv: 2,
    hs: 2,
    causal: true,
    lengths: null,
  },
  {
    name: 'bidirectional with key padding',
    B: 2,
    Tq: 3,
    Tk: 4,
    nh: 2,
    nkv: 1,
    hs: 3,
    causal: false,
    lengths: [4, 2],
  },
]) {
  test(`fused attention equals the composed reference and passes gradcheck: ${c.name}`, () => {
    const q = leaf([c.B, c.Tq, c.nh * c.hs], 1);
    const k = leaf([c.B, c.Tk, c.nkv * c.hs], 2);
    const v = leaf([c.B, c.Tk, c.nkv * c.hs], 3);
    const mask = c.lengths ? paddingMask(c.lengths, c.Tk) : null;
    const keyMask = mask ? mask.reshape(c.B, c.Tk) : null;
    const fused = fusedAttention(q, k, v, { nHead: c.nh, nKvHead: c.nkv, causal: c.causal, keyMask });
    const ref = scaledDotProductAttention(heads(q, c.nh), heads(k, c.nkv), heads(v, c.nkv), {
      causal: c.causal,
      mask,
    }).out;
    assertClose(fused.data, ref.transpose(1, 2).reshape(c.B, c.Tq, -1).data, 1e-10, 1e-12);
    assertGrad(
      (q, k, v) => fusedAttention(q, k, v, { nHead: c.nh, nKvHead: c.nkv, causal: c.causal, keyMask }),
      [q, k, v],
    );
  });
}
