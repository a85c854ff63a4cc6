// The sparse attention op against the masked dense reference softmax(q kᵀ / sqrt(hs) + mask) v
// (model/attention.ts with the pattern as a mask), and its backward against finite differences:
// the sliding, strided and fixed patterns, odd T, grouped-query heads, queries after cached keys,
// a rolling cache's offset, key padding; then against PyTorch (test/fixtures/sliding-golden.json).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { sparseAttention } from '../../src/tensor/ops/sparse-attention.js';
import { scaledDotProductAttention, paddingMask, combineMasks } from '../../src/model/index.js';
import {
  attentionPattern,
  keyLists,
  patternMask,
  type AttentionPattern,
} from '../../src/model/attention-patterns.js';
import { assertClose, assertGrad, leaf } from '../helpers/assert.js';

/** (B, T, n·hs) -> (B, n, T, hs) */
const heads = (x: T.Tensor, n: number) => x.reshape(x.shape[0], x.shape[1], n, -1).transpose(1, 2);
/** (B, n, T, hs) -> (B, T, n·hs) */
const merge = (x: T.Tensor) => x.transpose(1, 2).reshape(x.shape[0], x.shape[2], -1);

const pattern = (kind: string, W: number, c?: number): AttentionPattern => attentionPattern(kind, W, c)!;

/** The dense reference: every score computed, the pattern (and padding) masked to -inf. */
function dense(
  q: T.Tensor,
  k: T.Tensor,
  v: T.Tensor,
  nh: number,
  nkv: number,
  p: AttentionPattern,
  kStart: number,
  pad: T.Tensor | null,
): T.Tensor {
  const mask = combineMasks(patternMask(p, q.shape[1], k.shape[1], kStart), pad); // (B?, 1?, Tq, Tk)
  return merge(scaledDotProductAttention(heads(q, nh), heads(k, nkv), heads(v, nkv), { mask }).out);
}

const cases = [
  { name: 'sliding W=3, odd T, GQA', p: pattern('sliding', 3), B: 2, Tq: 7, Tk: 7, nh: 4, nkv: 2, hs: 2 },
  {
    name: 'strided l=3, T=9, GQA',
    p: pattern('sparse-strided', 3),
    B: 1,
    Tq: 9,
    Tk: 9,
    nh: 4,
    nkv: 2,
    hs: 3,
  },
  {
    name: 'fixed l=4 c=2, T=11',
    p: pattern('sparse-fixed', 4, 2),
    B: 2,
    Tq: 11,
    Tk: 11,
    nh: 2,
    nkv: 2,
    hs: 2,
  },
  { name: 'fixed l=3 c=1, MQA', p: pattern('sparse-fixed', 3, 1), B: 1, Tq: 7, Tk: 7, nh: 3, nkv: 1, hs: 2 },
  {
    name: 'strided l=2, 2 queries after 5 cached keys',
    p: pattern('sparse-strided', 2),
    B: 1,
    Tq: 2,
    Tk: 7,
    nh: 2,
    nkv: 1,
    hs: 3,
  },
  {
    name: 'sliding W=3 over a rolling cache that dropped 4 positions',
    p: pattern('sliding', 3),
    B: 2,
    Tq: 2,
    Tk: 5,
    nh: 2,
    nkv: 2,
    hs: 2,
    kStart: 4,
  },
  {
    name: 'strided l=3 with key padding',
    p: pattern('sparse-strided', 3),
    B: 2,
    Tq: 8,
    Tk: 8,
    nh: 2,
    nkv: 1,
    hs: 2,
    lengths: [8, 5],
  },
];

for (const c of cases) {
  test(`sparse attention equals the masked dense reference and passes gradcheck: ${c.name}`, () => {
    const kStart = c.kStart ?? 0;
    const q = leaf([c.B, c.Tq, c.nh * c.hs], 11);
    const k = leaf([c.B, c.Tk, c.nkv * c.hs], 12);
    const v = leaf([c.B, c.Tk, c.nkv * c.hs], 13);
    const pad = c.lengths ? paddingMask(c.lengths, c.Tk) : null; // (B, 1, 1, Tk)
    const keyMask = pad ? pad.reshape(c.B, c.Tk) : null;
    const lists = keyLists(c.p, c.Tq, c.Tk, kStart);
    const op = (q: T.Tensor, k: T.Tensor, v: T.Tensor) =>
      sparseAttention(q, k, v, { nHead: c.nh, nKvHead: c.nkv, lists, keyMask });
    assertClose(op(q, k, v).data, dense(q, k, v, c.nh, c.nkv, c.p, kStart, pad).data, 1e-10, 1e-12);
    assertGrad(op, [q, k, v]);
  });
}

test('sparse attention: float32 forward and gradients equal the dense reference to float rounding', () => {
  const p = pattern('sparse-fixed', 4, 2);
  const [B, Tn, nh, nkv, hs] = [2, 13, 4, 2, 4];
  const f32 = (shape: number[], seed: number) => T.randn(shape, { rng: new T.Rng(seed) }).requireGrad(); // float32 leaves
  const run = (f: (q: T.Tensor, k: T.Tensor, v: T.Tensor) => T.Tensor) => {
    const q = f32([B, Tn, nh * hs], 1);
    const k = f32([B, Tn, nkv * hs], 2);
    const v = f32([B, Tn, nkv * hs], 3);
    const y = f(q, k, v);
    y.backward(T.randn(y.shape, { rng: new T.Rng(4) }));
    return [y, q.grad!, k.grad!, v.grad!];
  };
  const lists = keyLists(p, Tn);
  const got = run((q, k, v) => sparseAttention(q, k, v, { nHead: nh, nKvHead: nkv, lists }));
  const want = run((q, k, v) => dense(q, k, v, nh, nkv, p, 0, null));
  got.forEach((g, i) => assertClose(g.data, want[i].data, 1e-4, 1e-5, ['out', 'dq', 'dk', 'dv'][i]));
});

test('sparse attention: the work is the pattern, T·W pairs rather than T²/2', () => {
  const Tn = 1024;
  const W = 32;
  const full = (Tn * (Tn + 1)) / 2;
  const sliding = keyLists(pattern('sliding', W), Tn).keys.length;
  const strided = keyLists(pattern('sparse-strided', W), Tn).keys.length;
  const fixed = keyLists(pattern('sparse-fixed', W, 4), Tn).keys.length;
  assert.equal(sliding, W * Tn - (W * (W - 1)) / 2); // min(i + 1, W) keys for query i
  assert.ok(sliding < full / 15, `sliding ${sliding} pairs vs full ${full}`);
  assert.ok(strided <= Tn * (W + Tn / W), `strided ${strided} pairs`); // window + one key per stride
  assert.ok(fixed <= Tn * (W + (4 * Tn) / W), `fixed ${fixed} pairs`); // own block + c per earlier block
  assert.ok(strided < full / 10 && fixed < full / 4);
});

test('sparse attention: bad key lists and shapes get one clear line', () => {
  const q = leaf([1, 3, 4], 1);
  const k = leaf([1, 3, 4], 2);
  const lists = keyLists(pattern('sliding', 2), 3);
  assert.throws(
    () => sparseAttention(q, k, k, { nHead: 2, lists: keyLists(pattern('sliding', 2), 2) }),
    /key lists need 4 offsets/,
  );
  const bad = { offsets: lists.offsets, keys: Int32Array.from(lists.keys, (j) => j + 1) };
  assert.throws(
    () => sparseAttention(q, k, k, { nHead: 2, lists: bad }),
    /key index 3 is outside the 3 keys/,
  );
  assert.throws(() => sparseAttention(q, k, k, { nHead: 3, lists }), /do not fit 3 query/);
});

interface CoreCase {
  kind: string;
  window: number;
  summary: number;
  B: number;
  T: number;
  nh: number;
  nkv: number;
  hs: number;
  q: number[];
  k: number[];
  v: number[];
  out: number[];
  upstream: number[];
  dq: number[];
  dk: number[];
  dv: number[];
}
const golden = JSON.parse(
  readFileSync(new URL('../fixtures/sliding-golden.json', import.meta.url), 'utf8'),
) as { cases: Record<string, CoreCase> };

for (const name of ['core_sliding', 'core_sparse-strided', 'core_sparse-fixed']) {
  test(`torch golden: sparse attention (${name.slice(5)}) forward and q, k, v gradients`, () => {
    const c = golden.cases[name];
    const p = attentionPattern(c.kind, c.window, c.kind === 'sparse-fixed' ? c.summary : undefined)!;
    const q = T.fromArray(c.q, [c.B, c.T, c.nh * c.hs], { requiresGrad: true });
    const k = T.fromArray(c.k, [c.B, c.T, c.nkv * c.hs], { requiresGrad: true });
    const v = T.fromArray(c.v, [c.B, c.T, c.nkv * c.hs], { requiresGrad: true });
    const y = sparseAttention(q, k, v, { nHead: c.nh, nKvHead: c.nkv, lists: keyLists(p, c.T) });
    y.backward(T.fromArray(c.upstream, y.shape));
    assertClose(y.data, c.out, 1e-4, 1e-5, 'out');
    assertClose(q.grad!.data, c.dq, 1e-4, 1e-5, 'dq');
    assertClose(k.grad!.data, c.dk, 1e-4, 1e-5, 'dk');
    assertClose(v.grad!.data, c.dv, 1e-4, 1e-5, 'dv');
  });
}
