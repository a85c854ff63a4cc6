// The attention overlay: the most-attended patch keeps its brightness (tinted red), an
// unattended one fades to a fifth, pixels follow their own patch, and bad grids are one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeImage } from '../../src/vision/index.js';
import { attentionOverlay } from '../../src/vision/vlm/index.js';

test('overlay: each pixel follows its patch: the top weight stays bright and red, zero weight fades', () => {
  const img = makeImage(6, 4, [200, 200, 200]); // W 6, H 4: a 2x3 grid of 2x2 patches
  const out = attentionOverlay(img, [0, 0, 1, 0.5, 0, 0], 2, 3);
  const px = (x: number, y: number) => Array.from(out.data.subarray(3 * (y * 6 + x), 3 * (y * 6 + x) + 3));
  assert.deepEqual(px(4, 0), [Math.round(200 * 0.7 + 255 * 0.3), 140, 140]); // patch (0, 2): weight 1
  assert.deepEqual(px(5, 1), px(4, 0)); // same patch
  assert.deepEqual(px(0, 0), [40, 40, 40]); // weight 0: a fifth of 200
  const half = px(0, 2); // patch (1, 0), weight 0.5: keep 0.6, tint 0.15
  assert.deepEqual(half, [Math.round(0.6 * (200 * 0.85 + 255 * 0.15)), 102, 102]);
  assert.throws(() => attentionOverlay(img, [1, 2, 3], 2, 3), /3 weights for a 2x3 patch grid/);
  assert.throws(
    () => attentionOverlay(img, new Array(9).fill(1), 3, 3),
    /6x4 image does not split into a 3x3 grid/,
  );
});
