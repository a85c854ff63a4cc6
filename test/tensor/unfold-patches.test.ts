// The patch unfold of ViT (eq. 1) and its backward, the fold: finite differences in float64, the
// same values as reshape + permute, the column order of a Conv2d weight, and one-line errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { LlmfsError } from '../../src/errors.js';
import { assertGrad, leaf } from '../helpers/assert.js';

test('gradcheck: unfoldPatches and foldPatches (non-square image, 3 channels, batch 2)', () => {
  const x = leaf([2, 3, 4, 6], 31); // 2x3 grid of 2x2 patches
  assertGrad((a) => T.unfoldPatches(a, 2), [x]);
  assertGrad((a) => T.unfoldPatches(a, 2).mul(T.unfoldPatches(a, 2)).sum(-1), [x]);
  const p = leaf([2, 6, 12], 32);
  assertGrad((a) => T.foldPatches(a, [4, 6], 2), [p]);
});

test('unfoldPatches: the same values as reshape (B, C, Hp, P, Wp, P) -> permute -> (B, N, C·P·P)', () => {
  T.manualSeed(3);
  const [B, C, H, W, P] = [2, 3, 8, 12, 4];
  const x = T.randn([B, C, H, W]);
  const viaPermute = x
    .reshape(B, C, H / P, P, W / P, P)
    .permute(0, 2, 4, 1, 3, 5) // (B, Hp, Wp, C, P, P)
    .reshape(B, (H / P) * (W / P), C * P * P);
  const patches = T.unfoldPatches(x, P);
  assert.deepEqual(patches.shape, [B, 6, 48]);
  assert.deepEqual(Array.from(patches.data), Array.from(viaPermute.data));
  // fold is its exact inverse
  assert.deepEqual(Array.from(T.foldPatches(patches, [H, W], P).data), Array.from(x.data));
});

test('unfoldPatches: patch n = i·Wp + j, column c·P·P + py·P + px (a Conv2d weight reshaped)', () => {
  // Pixel value = its own (c, y, x) code, so each entry says where it came from.
  const [C, H, W, P] = [2, 4, 6, 2];
  const data = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(c * H + y) * W + x] = c * 100 + y * 10 + x;
  const p = T.unfoldPatches(new T.Tensor(data, [1, C, H, W]), P); // (1, 6, 8)
  const at = (n: number, k: number) => p.data[n * C * P * P + k];
  // patch n = 4 is row i = 1, column j = 1: pixels y in 2..3, x in 2..3
  assert.equal(at(4, 0), 0 * 100 + 2 * 10 + 2); // c 0, py 0, px 0
  assert.equal(at(4, 1), 0 * 100 + 2 * 10 + 3); // c 0, py 0, px 1
  assert.equal(at(4, 2), 0 * 100 + 3 * 10 + 2); // c 0, py 1, px 0
  assert.equal(at(4, 4), 1 * 100 + 2 * 10 + 2); // c 1, py 0, px 0
  assert.equal(at(2, 7), 1 * 100 + 1 * 10 + 5); // patch (0, 2), c 1, py 1, px 1
});

test('unfoldPatches: a size that patches do not divide, or a wrong rank, is one clear error line', () => {
  const bad = (f: () => unknown, re: RegExp) =>
    assert.throws(
      f,
      (e: unknown) => e instanceof LlmfsError && re.test(e.message) && !e.message.includes('\n'),
    );
  bad(
    () => T.unfoldPatches(T.zeros([1, 3, 15, 16]), 4),
    /15x16 .* 4x4 patches; resize or crop .* \(e\.g\. 16x16\)/,
  );
  bad(() => T.unfoldPatches(T.zeros([3, 16, 16]), 4), /must be \(B, C, H, W\), got \(3,16,16\)/);
  bad(() => T.unfoldPatches(T.zeros([1, 3, 16, 16]), 0), /patch size must be a positive integer/);
  bad(() => T.foldPatches(T.zeros([1, 5, 48]), [16, 16], 4), /not \(B, 16, C·16\)/);
});
