// The buffer arena: buffers are reused across runs, come back zero-filled, and a training step
// inside an arena computes exactly what it computes outside one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { BufferArena } from '../../src/tensor/arena.js';
import { GPT } from '../../src/model/index.js';

test('arena: the second run reuses every buffer of the first, zero-filled', () => {
  const arena = new BufferArena();
  let first: T.Tensor['data'] | null = null;
  arena.run(() => {
    const t = T.ones([32]).mul(3);
    first = t.data;
  });
  arena.run(() => {
    const z = T.zeros([32]).add(T.zeros([32]));
    assert.ok(z.data.every((v) => v === 0));
  });
  assert.ok(arena.stats.reused >= 1);
  assert.ok(first);
});

test('arena: a GPT forward/backward inside an arena gives the same loss and gradients as outside', () => {
  T.manualSeed(4);
  const model = new GPT({ vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 });
  const x = T.randint(0, 20, [2, 8], { rng: new T.Rng(1) });
  const y = T.randint(0, 20, [2, 8], { rng: new T.Rng(2) });
  const plain = model.forward(x, { targets: y }).loss!;
  plain.backward();
  const grads = model.parameters().map((p) => p.grad!.toList());
  const arena = new BufferArena();
  for (let rep = 0; rep < 3; rep++) {
    model.zeroGrad();
    const loss = arena.run(() => {
      const l = model.forward(x, { targets: y }).loss!;
      l.backward();
      return l.item();
    });
    assert.equal(loss, plain.item());
    model.parameters().forEach((p, i) => assert.deepEqual(p.grad!.toList(), grads[i]));
  }
  assert.ok(arena.stats.reused > 0);
});

test('sizes no run asked for lately go back to the backend: varying shapes do not grow the pool', () => {
  const arena = new BufferArena();
  // A step whose shapes change every time (a mixture of experts routes a different number of
  // tokens to each expert): 50 runs, each with a size of its own plus one fixed size.
  for (let r = 0; r < 50; r++) {
    arena.run(() => {
      T.zeros([7, 3]); // the same every run
      T.zeros([100 + r]); // new every run
    });
  }
  const { sizes, buffers } = arena.pooled();
  assert.ok(sizes <= 3, `${sizes} sizes pooled`); // the fixed one and the last two runs' own
  assert.ok(buffers <= 3, `${buffers} buffers pooled`);
  // The fixed size keeps being reused.
  const before = arena.stats.reused;
  arena.run(() => T.zeros([7, 3]));
  assert.equal(arena.stats.reused, before + 1);
});
