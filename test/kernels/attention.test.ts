// The two attention kernels agree: the tiled one (the wasm backend's, on a given gemm) equals the
// row-by-row reference (the js backend's), forward and backward, in blocks of 64 queries and on
// its decoding path (a few queries after a cache); grouped-query heads, padding masks, rows
// whose keys are all masked. The backends wire them: js runs the reference, wasm the tiles,
// with float64 falling through to the reference.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { attentionForward, attentionBackward } from '../../src/kernels/js/attention.js';
import {
  directAttentionForward,
  tiledAttentionForward,
  tiledAttentionBackward,
} from '../../src/kernels/wasm/tiled-attention.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import type { AttentionDims } from '../../src/kernels/backend.js';
import type { FloatArray } from '../../src/kernels/dtype.js';
import { assertNear } from './random.js';

const wasm = await createWasmBackend();
const gemms = { 'js gemm': jsBackend.gemm, 'wasm gemm': wasm.gemm };

interface Case {
  B: number;
  Tq: number;
  Tk: number;
  nh: number;
  nkv: number;
  hs: number;
  causal: boolean;
  mask: boolean;
}

/** Random q, k, v, dout and dims for a case; row b of the key mask hides its last 2(b+1) keys. */
function inputs(c: Case, seed: number, make: (n: number) => FloatArray = (n) => new Float32Array(n)) {
  const rng = new Rng(seed);
  const rnd = (n: number) => make(n).map(() => rng.normal());
  const q = rnd(c.B * c.Tq * c.nh * c.hs),
    k = rnd(c.B * c.Tk * c.nkv * c.hs),
    v = rnd(k.length);
  const dout = rnd(q.length);
  const visible = (i: number) => i % c.Tk < c.Tk - 2 * (Math.floor(i / c.Tk) + 1); // i = b·Tk + key
  const keyMask = c.mask ? Float32Array.from({ length: c.B * c.Tk }, (_, i) => (visible(i) ? 1 : 0)) : null;
  const { B, Tq, Tk, nh, nkv, hs, causal } = c;
  const dims: AttentionDims = { B, Tq, Tk, nh, nkv, hs, scale: 1 / Math.sqrt(hs), causal, keyMask };
  return { q, k, v, dout, dims };
}

type Forward = (
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  d: AttentionDims,
) => void;
type Backward = (
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  dout: FloatArray,
  dq: FloatArray,
  dk: FloatArray,
  dv: FloatArray,
  d: AttentionDims,
) => void;

function run(x: ReturnType<typeof inputs>, fwd: Forward, bwd: Backward) {
  const { q, k, v, dout, dims } = x;
  const zeros = (n: number) => (q instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
  const out = zeros(q.length),
    lse = new Float64Array(dims.B * dims.nh * dims.Tq);
  fwd(q, k, v, out, lse, dims);
  const dq = zeros(q.length),
    dk = zeros(k.length),
    dv = zeros(v.length);
  bwd(q, k, v, out, lse, dout, dq, dk, dv, dims);
  return { out, lse, dq, dk, dv };
}

const tiledCases: Case[] = [
  { B: 2, Tq: 70, Tk: 70, nh: 4, nkv: 2, hs: 8, causal: true, mask: false },
  { B: 1, Tq: 3, Tk: 130, nh: 2, nkv: 2, hs: 5, causal: true, mask: false },
  { B: 2, Tq: 65, Tk: 9, nh: 3, nkv: 1, hs: 4, causal: false, mask: true },
];

for (const [name, gemm] of Object.entries(gemms)) {
  test(`tiled attention on the ${name} equals the row-by-row reference, forward and backward`, () => {
    for (const c of tiledCases) {
      const x = inputs(c, c.B * 100 + c.Tq);
      const ref = run(x, attentionForward, attentionBackward);
      const tiled = run(
        x,
        (...a) => tiledAttentionForward(gemm, ...a),
        (...a) => tiledAttentionBackward(gemm, ...a),
      );
      for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) {
        assertNear(tiled[key], ref[key], `${key} ${JSON.stringify(c)}`, 1e-4, 1e-5);
      }
    }
  });
}

test('tiled attention, decoding path: one to four queries after a cache equal the reference', () => {
  for (const c of [
    { B: 1, Tq: 1, Tk: 1, nh: 4, nkv: 4, hs: 32, causal: true, mask: false },
    { B: 2, Tq: 1, Tk: 37, nh: 4, nkv: 2, hs: 8, causal: true, mask: false },
    { B: 2, Tq: 4, Tk: 19, nh: 6, nkv: 3, hs: 5, causal: true, mask: true },
    // in the last batch row every key is masked: the output row is 0 and its lse -inf
    { B: 3, Tq: 2, Tk: 6, nh: 2, nkv: 1, hs: 3, causal: false, mask: true },
  ]) {
    const x = inputs(c, 11 + c.Tk);
    const want = run(x, attentionForward, attentionBackward);
    const got = run(x, (...a) => tiledAttentionForward(jsBackend.gemm, ...a), attentionBackward);
    assertNear(got.out, want.out, `out ${JSON.stringify(c)}`, 1e-4, 1e-5);
    assertNear(got.lse, want.lse, `lse ${JSON.stringify(c)}`, 1e-5, 1e-6);
  }
});

test('decoding path in wasm: one to four queries equal the direct loop and the reference (odd sizes, masks, GQA)', () => {
  let n = 0;
  for (const c of [
    { B: 1, Tq: 1, Tk: 1, nh: 4, nkv: 4, hs: 32, causal: true, mask: false },
    { B: 2, Tq: 1, Tk: 37, nh: 4, nkv: 2, hs: 8, causal: true, mask: false },
    { B: 2, Tq: 4, Tk: 19, nh: 6, nkv: 3, hs: 5, causal: true, mask: true },
    { B: 1, Tq: 3, Tk: 66, nh: 5, nkv: 5, hs: 13, causal: false, mask: false },
    // in the last batch row every key is masked: the output row is 0 and its lse -inf
    { B: 3, Tq: 2, Tk: 6, nh: 2, nkv: 1, hs: 3, causal: false, mask: true },
  ]) {
    const x = inputs(c, 23 + c.Tk);
    const want = run(x, attentionForward, attentionBackward);
    const loop = run(x, directAttentionForward, attentionBackward);
    const got = run(x, wasm.attentionForward, attentionBackward); // Tq <= 4: attnDirect
    for (const [name, ref] of [
      ['reference', want],
      ['direct loop', loop],
    ] as const) {
      assertNear(got.out, ref.out, `out vs ${name} ${JSON.stringify(c)}`, 1e-4, 1e-5);
      assertNear(got.lse, ref.lse, `lse vs ${name} ${JSON.stringify(c)}`, 1e-5, 1e-6);
    }
    n += got.lse.filter((l) => l === -Infinity).length;
  }
  assert.ok(n > 0, 'a query that sees no key was among the cases');
});

test('backends: js attention is the row-by-row reference; wasm runs tiles on float32 only', () => {
  const c = tiledCases[0];
  const x32 = inputs(c, 5);
  const ref = run(x32, attentionForward, attentionBackward);
  const js = run(x32, jsBackend.attentionForward, jsBackend.attentionBackward);
  for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) assert.deepEqual(js[key], ref[key], key);
  const tiled = run(x32, wasm.attentionForward, wasm.attentionBackward);
  assert.notDeepEqual(tiled.out, ref.out); // another summation order: not the reference's bits
  for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) {
    assertNear(tiled[key], ref[key], key, 1e-4, 1e-5);
  }
  // float64 (gradient checks) gives exactly the reference: no float32 tiles in between
  const x64 = inputs(c, 5, (n) => new Float64Array(n));
  const want = run(x64, attentionForward, attentionBackward);
  const got = run(x64, wasm.attentionForward, wasm.attentionBackward);
  for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) assert.deepEqual(got[key], want[key], key);
});
