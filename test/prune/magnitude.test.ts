// Unstructured magnitude pruning: exact sparsity (zeros counted), global vs per-layer thresholds on
// a case worked by hand, and masks that keep pruned weights at zero through a recovery fine-tune.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/index.js';
import { manualSeed } from '../../src/tensor/rng.js';
import {
  magnitudePrune,
  prunableWeights,
  smallestMask,
  countZeros,
  recoverFineTune,
} from '../../src/prune/index.js';
import { LlmfsError } from '../../src/errors.js';

const tiny = { vocabSize: 16, blockSize: 8, nLayer: 2, nHead: 4, nEmbd: 16 };

function model(): GPT {
  manualSeed(7);
  return new GPT(tiny);
}

test('magnitude pruning: global and per-layer thresholds on a case worked by hand', () => {
  const a = new Float32Array([1, 2, 3, 4]);
  const b = new Float32Array([10, -20, 0.5, 30]);
  // Global, s = 0.5 of 8 entries: the 4 smallest |w| are 0.5, 1, 2, 3 (threshold 3); b keeps 3 of 4.
  assert.deepEqual(
    smallestMask([a, b], 0.5).map((m) => [...m]),
    [
      [0, 0, 0, 1],
      [1, 1, 0, 1],
    ],
  );
  // Per layer, 2 of 4 from each: a loses 1, 2; b loses 0.5 and 10 (|-20| is large).
  assert.deepEqual([...smallestMask([a], 0.5)[0]], [0, 0, 1, 1]);
  assert.deepEqual([...smallestMask([b], 0.5)[0]], [0, 1, 0, 1]);
  // Ties at the threshold are broken by position, so the count stays exact.
  assert.deepEqual([...smallestMask([new Float32Array([5, 5, 5, 5, 5])], 0.4)[0]], [0, 0, 1, 1, 1]);
});

test('magnitude pruning: the target sparsity is reached exactly, globally and in every layer', () => {
  for (const s of [0, 0.1, 0.5, 0.9]) {
    const g = model();
    const names = prunableWeights(g).map(([n]) => n);
    const r = magnitudePrune(g, s, 'global');
    const { zeros, total } = countZeros(g, names);
    assert.equal(zeros, Math.round(s * total), `global ${s}`);
    assert.equal(r.pruned, zeros);

    const l = model();
    magnitudePrune(l, s, 'layer');
    for (const [name, p] of prunableWeights(l))
      assert.equal(countZeros(l, [name]).zeros, Math.round(s * p.size), `${name} at ${s}`);
  }
});

test('magnitude pruning: only attention and MLP weight matrices are pruned', () => {
  const g = model();
  const names = prunableWeights(g).map(([n]) => n);
  assert.deepEqual(names, [
    'h.0.attn.c_attn.weight',
    'h.0.attn.c_proj.weight',
    'h.0.mlp.c_fc.weight',
    'h.0.mlp.c_proj.weight',
    'h.1.attn.c_attn.weight',
    'h.1.attn.c_proj.weight',
    'h.1.mlp.c_fc.weight',
    'h.1.mlp.c_proj.weight',
  ]);
  const before = g.stateDict();
  const keep = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, t.data.slice()]));
  magnitudePrune(g, 0.8);
  for (const [name, p] of g.namedParameters())
    if (!names.includes(name)) assert.deepEqual(p.data, keep[name], `${name} untouched`);
});

test('magnitude pruning: global pruning takes more from layers of small weights', () => {
  const g = model();
  // Scale one matrix up: under one global threshold it loses fewer entries than the rest.
  const big = g.namedParameters().find(([n]) => n === 'h.1.mlp.c_fc.weight')![1];
  for (let i = 0; i < big.size; i++) big.data[i] *= 10;
  const r = magnitudePrune(g, 0.5, 'global');
  assert.ok(r.perTensor['h.1.mlp.c_fc.weight'] < 0.1, String(r.perTensor['h.1.mlp.c_fc.weight']));
  // GPT-2's init gives c_proj a smaller spread (0.02/√(2L)): those lose more than half.
  assert.ok(r.perTensor['h.0.attn.c_proj.weight'] > 0.6, String(r.perTensor['h.0.attn.c_proj.weight']));
});

test('magnitude pruning: a sparsity outside [0, 1) is one clear error', () => {
  for (const s of [1, -0.1, 1.5, Number.NaN])
    assert.throws(
      () => magnitudePrune(model(), s),
      (e: Error) => e instanceof LlmfsError && /sparsity must be in \[0, 1\)/.test(e.message),
    );
});

test('magnitude pruning: masks keep pruned weights at zero through recovery steps, the rest train', () => {
  const g = model();
  const names = prunableWeights(g).map(([n]) => n);
  const { masks, pruned } = magnitudePrune(g, 0.6);
  const before = new Map(g.namedParameters().map(([n, p]) => [n, p.data.slice()]));
  const tokens = Uint16Array.from({ length: 200 }, (_, i) => (i * 7 + 3) % 16);
  const losses = recoverFineTune(g, tokens, masks, { steps: 3, batchSize: 2, lr: 1e-2 });
  assert.equal(losses.length, 3);
  assert.equal(countZeros(g, names).zeros, pruned);
  let moved = 0;
  for (const [name, m] of masks) {
    const w = g.namedParameters().find(([n]) => n === name)![1].data;
    const w0 = before.get(name)!;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === 0) assert.equal(w[i], 0, `${name}[${i}] pruned`);
      else if (w[i] !== w0[i]) moved++;
    }
  }
  const kept = [...masks.values()].reduce((a, m) => a + m.length, 0) - pruned;
  assert.ok(moved > 0.9 * kept, `${moved} of ${kept} kept weights moved`);
});
