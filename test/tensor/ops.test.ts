// Forward values of creation, views, layout, broadcasting, reductions and indexing ops,
// against values worked out by hand (and NumPy/PyTorch semantics).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { erf } from '../../src/tensor/ops/erf.js';
import { assertClose } from '../helpers/assert.js';

test('creation: tensor from nested arrays, zeros, ones, full, arange, eye', () => {
  const t = T.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(T.tensor(3).item(), 3);
  assert.deepEqual(T.zeros([2, 2]).toList(), [0, 0, 0, 0]);
  assert.deepEqual(T.ones([3]).toList(), [1, 1, 1]);
  assert.deepEqual(T.full([2], 7).toList(), [7, 7]);
  assert.deepEqual(T.arange(5).toList(), [0, 1, 2, 3, 4]);
  assert.deepEqual(T.arange(1, 2, 0.25).toList(), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(T.arange(5, 0, -2).toList(), [5, 3, 1]);
  assert.deepEqual(T.eye(2).toArray(), [
    [1, 0],
    [0, 1],
  ]);
  assert.equal(T.zeros([2], { dtype: 'float64' }).dtype, 'float64');
});

test('random: the same seed gives the same numbers; randn has mean 0 and std 1', () => {
  T.manualSeed(5);
  const a = T.randn([1000]);
  T.manualSeed(5);
  const b = T.randn([1000]);
  assert.deepEqual(a.toList(), b.toList());
  assert.ok(Math.abs(a.mean().item()) < 0.1);
  assert.ok(Math.abs(a.var().item() - 1) < 0.1);
  const u = T.rand([1000], { rng: new T.Rng(1) });
  assert.ok(u.min().item() >= 0 && u.max().item() < 1);
  const r = T.randint(3, 6, [500], { rng: new T.Rng(2) });
  assert.deepEqual([...new Set(r.toList())].sort(), [3, 4, 5]);
});

test('rng state round-trips: a restored generator continues the same stream', () => {
  const rng = new T.Rng(9);
  rng.normal();
  const state = rng.getState();
  const next = [rng.normal(), rng.normal(), rng.random()];
  rng.setState(state);
  assert.deepEqual([rng.normal(), rng.normal(), rng.random()], next);
});

test('broadcasting: (2,3) + (3), (2,1) * (1,3), scalar ops', () => {
  const a = T.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(a.add(T.tensor([10, 20, 30])).toArray(), [
    [11, 22, 33],
    [14, 25, 36],
  ]);
  assert.deepEqual(
    T.tensor([[1], [2]])
      .mul(T.tensor([[1, 2, 3]]))
      .toArray(),
    [
      [1, 2, 3],
      [2, 4, 6],
    ],
  );
  assert.deepEqual(a.sub(1).div(2).toList(), [0, 0.5, 1, 1.5, 2, 2.5]);
  assert.deepEqual(T.tensor([2, 3]).pow(2).toList(), [4, 9]);
  assert.deepEqual(
    T.tensor([1, 5])
      .maximum(T.tensor([3, 2]))
      .toList(),
    [3, 5],
  );
  assert.deepEqual(a.maskedFill(T.tensor([1, 0, 1]), 0).toList(), [0, 2, 0, 0, 5, 0]);
  assert.deepEqual(T.where(T.tensor([1, 0]), T.tensor([1, 2]), 9).toList(), [1, 9]);
});

test('unary functions: values at known points', () => {
  const x = T.tensor([-1, 0, 2]);
  assertClose(x.exp().data, [Math.exp(-1), 1, Math.exp(2)]);
  assertClose(x.relu().data, [0, 0, 2]);
  assertClose(x.sigmoid().data, [1 / (1 + Math.E), 0.5, 1 / (1 + Math.exp(-2))]);
  assertClose(x.clamp(-0.5, 1).data, [-0.5, 0, 1]);
  assertClose(x.abs().data, [1, 0, 2]);
  assertClose(T.tensor([4]).sqrt().data, [2]);
  // gelu(1) = Φ(1) = 0.8413447460685429
  assertClose(T.tensor([1]).gelu().data, [0.8413447460685429]);
  assertClose(T.tensor([1000, -1000]).sigmoid().data, [1, 0]);
});

test('erf (for the exact GELU): double precision on both branches, odd, saturating past 6', () => {
  // reference values: the C library's erf (glibc, within 1 ulp)
  const want: [number, number][] = [
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [2.9, 0.9999589021219005],
    [3, 0.9999779095030014],
    [3.5, 0.9999992569016276],
    [4, 0.9999999845827421],
    [5.5, 0.9999999999999927],
    [-1.5, -0.9661051464753108],
    [-4.2, -0.9999999971445058],
  ];
  for (const [x, e] of want) assertClose([erf(x)], [e], 1e-15, 0, `erf(${x})`); // within a few ulp
  assert.equal(erf(0), 0);
  assert.equal(erf(7), 1);
  assert.equal(erf(-Infinity), -1);
  assert.ok(Number.isNaN(erf(NaN)));
});

test('reductions: sum/mean/max/min/argmax/var over axes with keepdim', () => {
  const a = T.tensor([
    [1, 5, 3],
    [4, 2, 6],
  ]);
  assert.equal(a.sum().item(), 21);
  assert.deepEqual(a.sum(0).toList(), [5, 7, 9]);
  assert.deepEqual(a.sum(1, true).shape, [2, 1]);
  assert.deepEqual(a.mean(-1).toList(), [3, 4]);
  assert.deepEqual(a.max(1).toList(), [5, 6]);
  assert.deepEqual(a.min(0).toList(), [1, 2, 3]);
  assert.deepEqual(a.argmax(1).toList(), [1, 2]);
  assert.equal(a.argmax().item(), 5);
  assert.equal(a.sum([0, 1]).item(), 21);
  assertClose(a.var(1).data, [4, 4]);
  assertClose(a.var(1, false, 0).data, [8 / 3, 8 / 3]);
  // ties: argmax picks the first maximum
  assert.equal(T.tensor([3, 7, 7]).argmax().item(), 1);
});

test('views share storage: reshape with -1, squeeze, unsqueeze, flatten', () => {
  const a = T.arange(24).reshape(2, 3, 4);
  assert.deepEqual(a.reshape(-1, 4).shape, [6, 4]);
  assert.equal(a.reshape(6, 4).data, a.data);
  assert.deepEqual(a.unsqueeze(0).shape, [1, 2, 3, 4]);
  assert.deepEqual(a.unsqueeze(-1).shape, [2, 3, 4, 1]);
  assert.deepEqual(a.unsqueeze(1).squeeze(1).shape, [2, 3, 4]);
  assert.deepEqual(T.zeros([1, 3, 1]).squeeze().shape, [3]);
  assert.deepEqual(a.flatten(1).shape, [2, 12]);
  assert.deepEqual(a.flatten().shape, [24]);
});

test('layout: transpose, permute, narrow, cat, stack, split', () => {
  const a = T.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(a.transpose().toArray(), [
    [1, 4],
    [2, 5],
    [3, 6],
  ]);
  const b = T.arange(24).reshape(2, 3, 4);
  const p = b.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal((p.toArray() as number[][][])[3][1][2], 23);
  assert.deepEqual(a.narrow(1, 1, 2).toArray(), [
    [2, 3],
    [5, 6],
  ]);
  assert.deepEqual(a.narrow(0, -1, 1).toArray(), [[4, 5, 6]]);
  assert.deepEqual(T.cat([a, T.tensor([[7, 8, 9]])], 0).toArray(), [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
  assert.deepEqual(T.cat([a, T.tensor([[0], [0]])], 1).toArray(), [
    [1, 2, 3, 0],
    [4, 5, 6, 0],
  ]);
  assert.deepEqual(T.stack([T.tensor([1, 2]), T.tensor([3, 4])], 1).toArray(), [
    [1, 3],
    [2, 4],
  ]);
  assert.deepEqual(
    T.split(T.arange(5), 2).map((t) => t.toList()),
    [[0, 1], [2, 3], [4]],
  );
});

test('indexing: indexSelect, gather, embedding', () => {
  const a = T.tensor([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  assert.deepEqual(a.indexSelect(0, [2, 0]).toArray(), [
    [5, 6],
    [1, 2],
  ]);
  assert.deepEqual(a.gather(1, T.tensor([[1], [0], [1]])).toArray(), [[2], [3], [6]]);
  const e = T.embedding(a, T.tensor([[0, 2]]));
  assert.deepEqual(e.shape, [1, 2, 2]);
  assert.deepEqual(e.toArray(), [
    [
      [1, 2],
      [5, 6],
    ],
  ]);
});

test('matmul: 2-D, batched with broadcast, vector cases; all four gemm transpose cases', () => {
  const a = T.tensor([
    [1, 2],
    [3, 4],
  ]);
  const b = T.tensor([
    [5, 6],
    [7, 8],
  ]);
  assert.deepEqual(a.matmul(b).toArray(), [
    [19, 22],
    [43, 50],
  ]);
  assert.deepEqual(T.tensor([1, 1]).matmul(b).toList(), [12, 14]);
  assert.deepEqual(a.matmul(T.tensor([1, 0])).toList(), [1, 3]);
  const batched = T.stack([a, b]).matmul(a);
  assert.deepEqual(batched.toArray(), [
    [
      [7, 10],
      [15, 22],
    ],
    [
      [23, 34],
      [31, 46],
    ],
  ]);
  // linear uses A·Bᵀ; its backward uses A·B and Aᵀ·B.
  assert.deepEqual(T.linear(a, b).toArray(), [
    [17, 23],
    [39, 53],
  ]);
});

test('softmax and logSoftmax: rows sum to 1, stable for huge inputs, equal the unfused reference', () => {
  const x = T.tensor([
    [1, 2, 3],
    [1000, 1000, 1000],
    [-1e4, 0, 1e4],
  ]);
  const s = x.softmax();
  assertClose(s.sum(-1).data, [1, 1, 1]);
  assertClose(s.narrow(0, 1, 1).data, [1 / 3, 1 / 3, 1 / 3]);
  const r = T.tensor([[0.5, -1, 2, 0.1]]);
  assertClose(r.softmax().data, r.exp().div(r.exp().sum(-1, true)).data);
  assertClose(r.logSoftmax().data, r.softmax().log().data);
  assert.ok(x.logSoftmax().data.every(Number.isFinite));
});

test('crossEntropy equals -log softmax at the target; label smoothing and ignoreIndex as PyTorch', () => {
  const logits = T.tensor([
    [2, 1, 0],
    [0, 0, 3],
  ]);
  const lp = logits.logSoftmax().toArray() as number[][];
  assertClose([T.crossEntropy(logits, [0, 2]).item()], [-(lp[0][0] + lp[1][2]) / 2]);
  assertClose([T.crossEntropy(logits, [0, -100]).item()], [-lp[0][0]]);
  const eps = 0.1;
  const smooth = -(1 - eps) * lp[0][1] - (eps / 3) * (lp[0][0] + lp[0][1] + lp[0][2]);
  assertClose([T.crossEntropy(logits.narrow(0, 0, 1), [1], { labelSmoothing: eps }).item()], [smooth]);
  assert.ok(Number.isNaN(T.crossEntropy(logits, [-100, -100]).item()));
  assert.deepEqual(T.crossEntropy(logits, [0, 2], { reduction: 'none' }).shape, [2]);
});

test('layerNorm: zero mean and unit variance per row; equals the unfused formula', () => {
  const x = T.tensor([
    [1, 2, 3, 4],
    [2, 2, 2, 10],
  ]);
  const y = T.layerNorm(x, null, null, 1e-5);
  assertClose(y.mean(-1).data, [0, 0], 0, 1e-6);
  const ref = x.sub(x.mean(-1, true)).div(x.var(-1, true, 0).add(1e-5).sqrt());
  assertClose(y.data, ref.data, 1e-5);
});

test('dropout: zeroes about p of the elements, scales the rest, identity in eval', () => {
  const x = T.ones([10000]);
  const y = T.dropout(x, 0.25, true, new T.Rng(3));
  const zeros = y.toList().filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 10000 - 0.25) < 0.02);
  assert.ok(y.toList().every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  assert.equal(T.dropout(x, 0.5, false), x);
});

test('printing shows values, shape and grad status', () => {
  const s = T.tensor([[1.5, 2]], { requiresGrad: true }).toString();
  assert.match(s, /tensor\(\[\[1\.5000, 2\.0000\]\], shape=\(1,2\), requiresGrad\)/);
  const long = T.arange(100).toString();
  assert.match(long, /\[0, 1, 2, \.\.\., 97, 98, 99\]/);
});
