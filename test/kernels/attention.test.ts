// The decoding path of the tiled attention kernel (a few queries, read straight from the
// (B, T, n·hs) arrays with no tiles) equals the row-by-row reference: grouped-query heads,
// padding masks, queries that see every key and rows whose keys are all masked.

import { test } from 'node:test';
import { Rng } from '../../src/tensor/rng.js';
import { attentionForward } from '../../src/kernels/js/attention.js';
import { tiledAttentionForward } from '../../src/kernels/tiled-attention.js';
import { assertNear } from './random.js';

test('tiled attention, decoding path: one to four queries after a cache equal the reference', () => {
  const rng = new Rng(11);
  for (const c of [
    { B: 1, Tq: 1, Tk: 1, nh: 4, nkv: 4, hs: 32, causal: true, mask: false },
    { B: 2, Tq: 1, Tk: 37, nh: 4, nkv: 2, hs: 8, causal: true, mask: false },
    { B: 2, Tq: 4, Tk: 19, nh: 6, nkv: 3, hs: 5, causal: true, mask: true },
    { B: 3, Tq: 2, Tk: 7, nh: 2, nkv: 1, hs: 3, causal: false, mask: true },
  ]) {
    const rnd = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const q = rnd(c.B * c.Tq * c.nh * c.hs), k = rnd(c.B * c.Tk * c.nkv * c.hs), v = rnd(c.B * c.Tk * c.nkv * c.hs);
    // row b masks its last b + 1 keys; in the last row every key is masked when Tk is small
    const keyMask = c.mask ? Float32Array.from({ length: c.B * c.Tk }, (_, i) => (i % c.Tk < c.Tk - 3 * Math.floor(i / c.Tk) - 1 ? 1 : 0)) : null;
    const dims = { B: c.B, Tq: c.Tq, Tk: c.Tk, nh: c.nh, nkv: c.nkv, hs: c.hs, scale: 1 / Math.sqrt(c.hs), causal: c.causal, keyMask };
    const run = (fwd: typeof attentionForward) => {
      const out = new Float32Array(q.length), lse = new Float64Array(c.B * c.nh * c.Tq);
      fwd(q, k, v, out, lse, dims);
      return { out, lse };
    };
    const want = run(attentionForward);
    const got = run(tiledAttentionForward);
    assertNear(got.out, want.out, `out ${JSON.stringify(c)}`, 1e-4, 1e-5);
    assertNear(got.lse, want.lse, `lse ${JSON.stringify(c)}`, 1e-5, 1e-6);
  }
});
