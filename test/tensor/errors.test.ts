// Bad input gets one clear error naming the op and the shapes, never a crash or a wrong answer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { LlmfsError } from '../../src/errors.js';

function throwsClear(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LlmfsError, `expected LlmfsError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('errors: mismatched shapes name the op and both shapes', () => {
  throwsClear(
    () => T.zeros([2, 3]).matmul(T.zeros([4, 5])),
    /^matmul: shapes \(2,3\) and \(4,5\) do not align: inner sizes 3 and 4 differ$/,
  );
  throwsClear(() => T.zeros([2, 3]).add(T.zeros([4])), /add: shapes \(2,3\) and \(4\) cannot be broadcast/);
  throwsClear(
    () => T.linear(T.zeros([2, 3]), T.zeros([4, 5])),
    /linear: input of shape \(2,3\) does not match weight \(4,5\)/,
  );
  throwsClear(
    () => T.cat([T.zeros([2, 3]), T.zeros([2, 4])], 0),
    /cat: shapes \(2,3\), \(2,4\) differ outside axis 0/,
  );
  throwsClear(() => T.layerNorm(T.zeros([2, 3]), T.ones([4]), null), /layerNorm: parameter of shape \(4\)/);
  throwsClear(
    () => T.crossEntropy(T.zeros([2, 3]), [0]),
    /crossEntropy: logits of shape \(2,3\) have 2 rows but targets have 1 values/,
  );
  throwsClear(
    () => T.crossEntropy(T.zeros([2, 3]), [0, 3]),
    /target 3 at row 1 is not a class index in \[0, 3\)/,
  );
});

test('errors: bad axes', () => {
  throwsClear(() => T.zeros([2, 3]).sum(2), /sum: axis 2 is out of range for a tensor with 2 dimension/);
  throwsClear(() => T.zeros([2, 3]).softmax(-3), /softmax: axis -3 is out of range/);
  throwsClear(() => T.zeros([2, 3]).squeeze(0), /squeeze: axis 0 of shape \(2,3\) has size 2, not 1/);
  throwsClear(() => T.zeros([2, 3]).permute(0, 0), /permute: axes \[0, 0\] repeat an axis/);
  throwsClear(
    () => T.zeros([2, 3]).narrow(1, 2, 2),
    /narrow: range start 2, length 2 is outside axis 1 of size 3/,
  );
});

test('errors: reshape, data size and indices', () => {
  throwsClear(
    () => T.zeros([2, 3]).reshape(4, -1),
    /reshape: cannot view a tensor of shape \(2,3\) \(6 elements\) as \(4,-1\)/,
  );
  throwsClear(
    () => T.fromArray([1, 2, 3], [2, 2]),
    /fromArray: got 3 values for shape \(2,2\), which needs 4/,
  );
  throwsClear(() => T.tensor([[1, 2], [3]]), /ragged/);
  throwsClear(
    () => T.zeros([3, 2]).indexSelect(0, [0, 3]),
    /indexSelect: index 3 at position 1 is out of range for size 3/,
  );
  throwsClear(() => T.embedding(T.zeros([3, 2]), [1.5]), /index 1.5/);
  throwsClear(() => T.zeros([2]).item(), /item: tensor of shape \(2\) has 2 elements, not 1/);
});

test('errors: backward on a non-scalar without a gradient, or without any grad', () => {
  const x = T.zeros([2, 3], { requiresGrad: true });
  throwsClear(
    () => x.mul(2).backward(),
    /backward: called on a non-scalar tensor of shape \(2,3\) without a gradient/,
  );
  throwsClear(
    () => x.mul(2).backward(T.zeros([3])),
    /backward: gradient shape \(3\) does not match tensor shape \(2,3\)/,
  );
  throwsClear(() => T.zeros([1]).backward(), /does not require grad/);
});

test('errors: invalid options', () => {
  throwsClear(() => T.dropout(T.zeros([2]), 1.5), /dropout: probability must be in \[0, 1\]/);
  throwsClear(() => T.zeros([2]).clamp(2, 1), /clamp: min 2 is greater than max 1/);
  throwsClear(() => T.zeros([2]).var(0, false, 2), /var: 2 element\(s\) with correction 2/);
  throwsClear(() => T.arange(0, 5, 0), /arange: step must be a non-zero/);
  throwsClear(() => T.zeros([2, -1]), /invalid shape/);
});
