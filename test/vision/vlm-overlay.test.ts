// The attention overlay: the most-attended patch keeps its exact colours, an unattended one fades
// toward a neutral gray (hue kept), pixels follow their own patch, and bad grids are one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeImage } from '../../src/vision/index.js';
import { attentionOverlay } from '../../src/vision/vlm/index.js';

test('overlay: each pixel follows its patch: the top weight keeps its colour, zero weight fades to gray', () => {
  const img = makeImage(6, 4, [40, 90, 200]); // W 6, H 4: a 2x3 grid of 2x2 patches, blue
  const out = attentionOverlay(img, [0, 0, 2, 1, 0, 0], 2, 3);
  const px = (x: number, y: number) => Array.from(out.data.subarray(3 * (y * 6 + x), 3 * (y * 6 + x) + 3));
  assert.deepEqual(px(4, 0), [40, 90, 200]); // patch (0, 2): the top weight, exact colours
  assert.deepEqual(px(5, 1), px(4, 0)); // same patch
  const fade = (v: number, keep: number) => Math.round(v * keep + 24 * (1 - keep));
  assert.deepEqual(px(0, 0), [fade(40, 0.15), fade(90, 0.15), fade(200, 0.15)]); // weight 0
  const half = px(0, 2); // patch (1, 0), half the top weight: keep 0.575
  assert.deepEqual(half, [fade(40, 0.575), fade(90, 0.575), fade(200, 0.575)]);
  assert.ok(half[2] > half[1] && half[1] > half[0], 'a faded blue is still blue');
  assert.throws(() => attentionOverlay(img, [1, 2, 3], 2, 3), /3 weights for a 2x3 patch grid/);
  assert.throws(
    () => attentionOverlay(img, new Array(9).fill(1), 3, 3),
    /6x4 image does not split into a 3x3 grid/,
  );
});
