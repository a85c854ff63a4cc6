// Every op's backward against central finite differences in float64.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { assertGrad, leaf, positiveLeaf } from '../helpers/assert.js';

test('gradcheck: add, sub, mul, div with broadcasting', () => {
  const a = leaf([2, 3, 4], 1);
  const b = leaf([3, 1], 2);
  const c = positiveLeaf([4], 3);
  assertGrad((x, y) => x.add(y), [a, b]);
  assertGrad((x, y) => x.sub(y), [a, b]);
  assertGrad((x, y) => x.mul(y), [a, b]);
  assertGrad((x, y) => x.div(y), [a, c]);
  assertGrad((x, y) => y.div(x), [c, a.narrow(0, 0, 1).detach().requireGrad()]);
  assertGrad((x) => x.add(2).mul(3).sub(1).div(4), [a]);
});

test('gradcheck: pow with scalar and tensor exponents', () => {
  const a = positiveLeaf([3, 4], 4);
  const e = leaf([4], 5);
  assertGrad((x) => x.pow(3), [a]);
  assertGrad((x) => x.pow(-0.5), [a]);
  assertGrad((x, y) => x.pow(y), [a, e]);
});

test('gradcheck: unary functions', () => {
  const a = leaf([3, 5], 6);
  const p = positiveLeaf([3, 5], 7);
  for (const f of ['neg', 'exp', 'tanh', 'sigmoid', 'silu'] as const) assertGrad((x) => x[f](), [a]);
  for (const f of ['log', 'sqrt', 'rsqrt'] as const) assertGrad((x) => x[f](), [p]);
  // relu, abs and clamp are not differentiable at their kinks; the random points avoid them.
  assertGrad((x) => x.relu(), [a]);
  assertGrad((x) => x.abs(), [a]);
  assertGrad((x) => x.clamp(-0.5, 0.7), [a]);
  assertGrad((x) => x.clamp(null, 0.2), [a]);
});

test('gradcheck: gelu, exact (erf) and tanh forms', () => {
  const a = leaf([4, 6], 8, 2);
  assertGrad((x) => x.gelu(), [a]);
  assertGrad((x) => x.gelu('tanh'), [a]);
});

test('gradcheck: maximum, minimum, maskedFill, where', () => {
  const a = leaf([3, 4], 9);
  const b = leaf([4], 10);
  assertGrad((x, y) => x.maximum(y), [a, b]);
  assertGrad((x, y) => x.minimum(y), [a, b]);
  const mask = T.tensor([[1, 0, 0, 1]], { dtype: 'float64' });
  assertGrad((x) => x.maskedFill(mask, -3), [a]);
  const cond = T.tensor([[1], [0], [1]], { dtype: 'float64' });
  assertGrad((x, y) => T.where(cond, x, y), [a, b]);
});

test('gradcheck: reductions sum, mean, var, max, min over axes', () => {
  const a = leaf([2, 3, 4], 11);
  assertGrad((x) => x.sum(), [a]);
  assertGrad((x) => x.sum(1), [a]);
  assertGrad((x) => x.sum([0, 2], true), [a]);
  assertGrad((x) => x.mean(-1), [a]);
  assertGrad((x) => x.mean([0, 1]), [a]);
  assertGrad((x) => x.var(-1), [a]);
  assertGrad((x) => x.var([0, 2], true, 0), [a]);
  assertGrad((x) => x.max(1), [a]);
  assertGrad((x) => x.min(-1, true), [a]);
  assertGrad((x) => x.max(), [a]);
});

test('gradcheck: views and layout copies', () => {
  const a = leaf([2, 3, 4], 12);
  assertGrad((x) => x.reshape(4, -1).mul(x.reshape(4, 6)), [a]);
  assertGrad((x) => x.unsqueeze(1).squeeze(1).flatten(1), [a]);
  assertGrad((x) => x.transpose(0, 2), [a]);
  assertGrad((x) => x.permute(1, 2, 0), [a]);
  assertGrad((x) => x.narrow(2, 1, 2), [a]);
  const b = leaf([2, 1, 4], 13);
  assertGrad((x, y) => T.cat([x, y, x], 1), [a, b]);
  assertGrad((x, y) => T.stack([x, y], 0), [b, b.mul(2).detach().requireGrad()]);
  assertGrad((x) => T.split(x, 2, 2)[1], [a]);
  assertGrad((x) => T.expand(x, [3, 2, 3, 4]), [leaf([2, 1, 4], 14)]);
});

test('gradcheck: indexSelect, gather, embedding with repeated indices', () => {
  const a = leaf([5, 3], 15);
  assertGrad((x) => x.indexSelect(0, [4, 0, 4, 2]), [a]);
  assertGrad((x) => x.indexSelect(1, [2, 2]), [a]);
  const idx = T.tensor([
    [0, 2],
    [1, 1],
    [2, 0],
    [0, 0],
    [1, 2],
  ]);
  assertGrad((x) => x.gather(1, idx), [a]);
  assertGrad(
    (x) =>
      T.embedding(
        x,
        T.tensor([
          [1, 3, 1],
          [0, 4, 4],
        ]),
      ),
    [a],
  );
});

test('gradcheck: matmul, batched and broadcast, and vectors', () => {
  assertGrad((x, y) => x.matmul(y), [leaf([3, 4], 16), leaf([4, 5], 17)]);
  assertGrad((x, y) => x.matmul(y), [leaf([2, 3, 4], 18), leaf([4, 2], 19)]);
  assertGrad((x, y) => x.matmul(y), [leaf([2, 1, 3, 4], 20), leaf([3, 4, 2], 21)]);
  assertGrad((x, y) => x.matmul(y), [leaf([4], 22), leaf([4, 3], 23)]);
  assertGrad((x, y) => x.matmul(y), [leaf([2, 3, 4], 24), leaf([4], 25)]);
});

test('gradcheck: linear with and without bias', () => {
  const x = leaf([2, 3, 4], 26);
  const w = leaf([5, 4], 27);
  const b = leaf([5], 28);
  assertGrad((x, w, b) => T.linear(x, w, b), [x, w, b]);
  assertGrad((x, w) => T.linear(x, w), [x, w]);
});

test('gradcheck: softmax and logSoftmax along any axis', () => {
  const a = leaf([2, 3, 5], 29, 2);
  assertGrad((x) => x.softmax(), [a]);
  assertGrad((x) => x.softmax(1), [a]);
  assertGrad((x) => x.logSoftmax(), [a]);
  assertGrad((x) => x.logSoftmax(0), [a]);
});

test('gradcheck: crossEntropy with ignoreIndex, label smoothing and reductions', () => {
  const logits = leaf([6, 5], 30, 2);
  const targets = [0, 4, -100, 2, 2, 1];
  assertGrad((x) => T.crossEntropy(x, targets), [logits]);
  assertGrad((x) => T.crossEntropy(x, targets, { labelSmoothing: 0.1 }), [logits]);
  assertGrad((x) => T.crossEntropy(x, targets, { reduction: 'sum' }), [logits]);
  assertGrad((x) => T.crossEntropy(x, targets, { reduction: 'none', labelSmoothing: 0.2 }), [logits]);
  assertGrad(
    (x) =>
      T.crossEntropy(
        x.reshape(2, 3, 5),
        T.tensor([
          [1, 2, 3],
          [4, 0, 1],
        ]),
      ),
    [logits],
  );
});

test('gradcheck: layerNorm (affine and plain) and rmsNorm', () => {
  const x = leaf([2, 3, 6], 31, 2);
  const w = leaf([6], 32);
  const b = leaf([6], 33);
  assertGrad((x, w, b) => T.layerNorm(x, w, b), [x, w, b]);
  assertGrad((x) => T.layerNorm(x, null, null, 1e-3), [x]);
  assertGrad((x, w) => T.rmsNorm(x, w), [x, w]);
});

test('gradcheck: dropout applies the same mask forward and backward', () => {
  const a = leaf([4, 5], 34);
  // A fixed generator per call makes the mask identical across the finite-difference evaluations.
  assertGrad((x) => T.dropout(x, 0.3, true, new T.Rng(7)), [a]);
});

test('gradcheck: clone, to(), and a composite graph reusing a tensor', () => {
  const a = leaf([3, 3], 35);
  assertGrad((x) => x.clone().mul(x).to('float64'), [a]);
  assertGrad((x) => x.matmul(x).tanh().add(x.exp()).sum(0), [a]);
});

test('gradcheck catches a wrong gradient', () => {
  // An op with a deliberately wrong backward (says d/dx x² = x) must fail the check.
  const wrong = (x: T.Tensor) =>
    T.Tensor.fromOp(
      'badSquare',
      x.data.map((v) => v * v),
      x.shape,
      [x],
      (g) => [g.mul(x.detach())],
    );
  const r = T.gradcheck(wrong, [leaf([3], 36)]);
  assert.equal(r.ok, false);
});
