// imageForModel, the one door from a decoded image to a vision model's input: (1, 3, S, S),
// normalised with the model's own mean and std, resized bilinearly (and reported) or refused with
// one line when the size is wrong. Checked against the pieces it is made of (imageToTensor,
// resizeImage) and by hand on a 2x1 image, so a wrong axis order, a skipped normalisation or a
// silent resize fails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageForModel, resizeNote } from '../../src/vision/input.js';
import { imageToTensor } from '../../src/vision/to-tensor.js';
import { resizeImage } from '../../src/vision/resize.js';
import { makeImage } from '../../src/vision/image.js';
import { sceneExample } from '../../src/vision/scenes/dataset.js';
import { LlmfsError } from '../../src/errors.js';

test('imageForModel: (1, 3, S, S) channels first, normalised with the config mean and std', () => {
  // A 1x1 model input from a 1x1 image: (v / 255 - mean) / std per channel.
  const img = { width: 1, height: 1, channels: 3 as const, data: Uint8Array.from([255, 0, 51]) };
  const x = imageForModel(img, { size: 1, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 0.1] });
  assert.deepEqual(x.shape, [1, 3, 1, 1]);
  const want = [(1 - 0.5) / 0.5, (0 - 0.25) / 0.25, (0.2 - 0) / 0.1];
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(x.data[c] - want[c]) < 1e-6, `channel ${c}`);
  // Default mean = std = 0.5: 0..255 -> -1..1.
  const d = imageForModel(img, { size: 1 });
  assert.deepEqual(Array.from(d.data), [1, -1, Math.fround(0.2 / 0.5 - 1)]);
});

test('imageForModel: a scene of the right size is exactly imageToTensor, no resize reported', () => {
  const { image } = sceneExample('test', 3, { size: 48 });
  const cfg = { size: 48, mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.4] } as const;
  let called = 0;
  const x = imageForModel(image, cfg, { onResize: () => called++ });
  assert.equal(called, 0);
  assert.deepEqual(x.shape, [1, 3, 48, 48]);
  assert.deepEqual(x.data, imageToTensor(image, cfg).data);
});

test('imageForModel: a wrong size is resized bilinearly and reported once', () => {
  const { image } = sceneExample('test', 5, { size: 32 });
  const calls: unknown[] = [];
  const x = imageForModel(image, { size: 48 }, { onResize: (from, to) => calls.push([from, to]) });
  assert.deepEqual(calls, [
    [
      [32, 32],
      [48, 48],
    ],
  ]);
  assert.deepEqual(x.shape, [1, 3, 48, 48]);
  assert.deepEqual(x.data, imageToTensor(resizeImage(image, 48, 48)).data);
  // Not square: squeezed to the model's square (the aspect ratio is not kept).
  const wide = makeImage(64, 16, [255, 0, 0]);
  const y = imageForModel(wide, { size: 8 });
  assert.deepEqual(y.shape, [1, 3, 8, 8]);
  assert.ok(Array.from(y.data.subarray(0, 64)).every((v) => v === 1)); // red stays red
  assert.ok(Array.from(y.data.subarray(64)).every((v) => v === -1));
});

test("imageForModel: onMismatch 'error' refuses a wrong size with one line naming both sizes", () => {
  const image = makeImage(32, 32);
  assert.throws(
    () => imageForModel(image, { size: 48 }, { onMismatch: 'error', name: 'cat.png' }),
    (e: unknown) =>
      e instanceof LlmfsError &&
      !e.message.includes('\n') &&
      /^cat\.png: is 32x32, the model takes 48x48/.test(e.message),
  );
  // The right size passes with 'error' too.
  assert.deepEqual(
    imageForModel(makeImage(48, 48), { size: 48 }, { onMismatch: 'error' }).shape,
    [1, 3, 48, 48],
  );
  assert.equal(
    resizeNote('a.png', [32, 32], [48, 48]),
    "note: a.png is 32x32, resized (bilinear) to the model's 48x48 (--on-size-mismatch error refuses instead)",
  );
});
