// The decoding step's attention loop (src/generate/decode-attention.ts) equals the reference
// backend's fused attention with one query (Tq = 1, causal, after Tk - 1 cached keys), on odd head
// sizes and key counts, with multi-head and grouped-query heads, one key included.

import { test } from 'node:test';
import { decodeAttention } from '../../src/generate/decode-attention.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { assertClose } from '../helpers/assert.js';

const rand = (n: number, rng: Rng, scale: number) =>
  Float32Array.from({ length: n }, () => scale * rng.normal());

for (const [nh, nkv, hs] of [
  [5, 5, 8],
  [6, 2, 7],
  [4, 1, 5],
  [3, 3, 1],
] as const) {
  test(`decode attention (nh ${nh}, nkv ${nkv}, hs ${hs}): equals the reference kernel for Tk 1, 2, 5, 37, 40`, () => {
    const rng = new Rng(nh * 100 + hs);
    for (const Tk of [1, 2, 5, 37, 40]) {
      const q = rand(nh * hs, rng, 2); // (1, 1, nh·hs)
      const k = rand(Tk * nkv * hs, rng, 2); // (1, Tk, nkv·hs)
      const v = rand(Tk * nkv * hs, rng, 1);
      const scale = 1 / Math.sqrt(hs);
      const want = new Float32Array(nh * hs);
      const lse = new Float64Array(nh);
      const dims = { B: 1, Tq: 1, Tk, nh, nkv, hs, scale, causal: true, keyMask: null };
      jsBackend.attentionForward(q, k, v, want, lse, dims);
      const got = new Float32Array(nh * hs);
      const scores = new Float64Array(Tk + 3); // scratch may be longer than Tk
      decodeAttention(q, k, v, got, scores, new Float64Array(hs), { Tk, nh, nkv, hs, scale });
      assertClose(got, want, 1e-6, 1e-7, `Tk ${Tk}`);
    }
  });
}
