// The model's shared pieces: one splitHeads/mergeHeads pair, one residual branch (pre- or
// post-norm) that the GPT block and the encoder/decoder layers all use. (No import cycle in all of
// src/ is checked by test/package/entries.test.ts.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { LayerNorm } from '../../src/nn/layers.js';
import { splitHeads, mergeHeads, residual } from '../../src/model/index.js';

test('splitHeads: (B, T, n·hs) -> (B, n, T, hs) puts channel h·hs + j of head h at [b, h, t, j]', () => {
  const x = T.tensor([
    [
      [0, 1, 2, 3, 4, 5],
      [10, 11, 12, 13, 14, 15],
    ],
  ]); // (1, 2, 6): 3 heads of 2
  const h = splitHeads(x, 3);
  assert.deepEqual(h.shape, [1, 3, 2, 2]);
  assert.deepEqual(Array.from(h.data), [0, 1, 10, 11, 2, 3, 12, 13, 4, 5, 14, 15]);
  const back = mergeHeads(h);
  assert.deepEqual(back.shape, [1, 2, 6]);
  assert.deepEqual(Array.from(back.data), Array.from(x.data));
});

test('residual: pre-norm is x + f(norm(x)), post-norm is norm(x + f(x))', () => {
  const x = T.tensor([
    [
      [1, 2, 4],
      [0, -1, 3],
    ],
  ]); // (1, 2, 3)
  const norm = new LayerNorm(3);
  const f = (h: T.Tensor) => h.mul(2);
  const mean = (r: number[]) => r.reduce((a, b) => a + b, 0) / r.length;
  const ln = (r: number[]) => {
    const m = mean(r);
    const v = mean(r.map((a) => (a - m) ** 2));
    return r.map((a) => (a - m) / Math.sqrt(v + 1e-5));
  };
  const rows = [
    [1, 2, 4],
    [0, -1, 3],
  ];
  const pre = rows.map((r) => ln(r).map((a, i) => r[i] + 2 * a));
  const post = rows.map((r) => ln(r.map((a) => 3 * a)));
  const got = (p: 'pre' | 'post') => Array.from(residual(x, norm, f, p).data);
  got('pre').forEach((a, i) => assert.ok(Math.abs(a - pre.flat()[i]) < 1e-5, `pre ${i}`));
  got('post').forEach((a, i) => assert.ok(Math.abs(a - post.flat()[i]) < 1e-5, `post ${i}`));
});
