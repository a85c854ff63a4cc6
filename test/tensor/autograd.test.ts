// The autograd engine's behaviour: accumulation, noGrad, detach, upstream gradients, freeing
// the graph after backward, and deep graphs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { LlmfsError } from '../../src/errors.js';

test('gradients accumulate across backward calls until zeroed', () => {
  const x = T.tensor([1, 2, 3], { requiresGrad: true });
  x.mul(2).sum().backward();
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toList(), [5, 5, 5]);
  x.zeroGrad();
  assert.equal(x.grad, null);
});

test('a tensor used twice receives the sum of both paths', () => {
  const x = T.tensor([3], { requiresGrad: true });
  x.mul(x).add(x).sum().backward(); // d/dx (x² + x) = 2x + 1
  assert.deepEqual(x.grad!.toList(), [7]);
});

test('backward with an upstream gradient on a non-scalar output', () => {
  const x = T.tensor([1, 2], { requiresGrad: true });
  x.mul(x).backward(T.tensor([1, 10]));
  assert.deepEqual(x.grad!.toList(), [2, 40]);
});

test('noGrad records nothing and detach cuts the graph', () => {
  const x = T.tensor([1, 2], { requiresGrad: true });
  const y = T.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.node, null);
  assert.equal(T.isGradEnabled(), true);
  const z = x.detach().mul(2);
  assert.equal(z.requiresGrad, false);
});

test('the graph is freed after backward; a second backward through it is a clear error', () => {
  const x = T.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2).sum();
  y.backward();
  assert.throws(
    () => y.backward(),
    (e: Error) => e instanceof LlmfsError && /already freed/.test(e.message),
  );
  const x2 = T.tensor([1, 2], { requiresGrad: true });
  const y2 = x2.mul(2).sum();
  y2.backward(undefined, { retainGraph: true });
  y2.backward();
  assert.deepEqual(x2.grad!.toList(), [4, 4]);
});

test('retainGrad keeps the gradient of an intermediate tensor', () => {
  const x = T.tensor([1, 2], { requiresGrad: true });
  const h = x.mul(3).retainGrad();
  h.sum().backward();
  assert.deepEqual(h.grad!.toList(), [1, 1]);
});

test('a deep graph (10,000 ops) backpropagates without stack overflow', () => {
  const x = T.tensor([1], { requiresGrad: true });
  let y = x;
  for (let i = 0; i < 10000; i++) y = y.add(1);
  y.sum().backward();
  assert.deepEqual(x.grad!.toList(), [1]);
});

test('only inputs that require grad get gradients', () => {
  const a = T.tensor([1, 2], { requiresGrad: true });
  const b = T.tensor([3, 4]);
  a.mul(b).sum().backward();
  assert.deepEqual(a.grad!.toList(), [3, 4]);
  assert.equal(b.grad, null);
});
