// Images in and out: every PNG colour type and PPM form decodes to the RGB that
// scripts/make-png-fixtures.py computed (files written by hand with zlib, checked by Pillow),
// round trips are exact, bilinear resizing equals PyTorch's F.interpolate, and bad bytes get one
// line naming the file and the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { decodePng, encodePng } from '../../src/vision/png.js';
import { decodePpm } from '../../src/vision/ppm.js';
import { makeImage, type Image } from '../../src/vision/image.js';
import { fitImage, resizeBilinear, resizeImage } from '../../src/vision/resize.js';
import { imageToTensor, tensorToImage } from '../../src/vision/to-tensor.js';
import { readImageFile, writeImageFile } from '../../src/io/image-files.js';
import { LlmfsError } from '../../src/errors.js';
import { Rng } from '../../src/tensor/rng.js';

const FIX = 'test/fixtures/vision';
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  width: number;
  height: number;
  rgb: Record<string, number[]>;
};
const TMP = mkdtempSync(join(tmpdir(), 'llmfs-image-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

function randomImage(w: number, h: number, seed: number): Image {
  const rng = new Rng(seed);
  const img = makeImage(w, h);
  for (let i = 0; i < img.data.length; i++) img.data[i] = rng.randint(0, 256);
  return img;
}

/** The one-line LlmfsError message `fn` throws. */
function errorLine(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof LlmfsError, `an LlmfsError, not ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.message;
  }
  assert.fail('expected an error');
}

test('every PNG colour type and bit depth (and each PPM form) decodes to the RGB the script computed', () => {
  const names = Object.keys(expected.rgb);
  assert.equal(names.length, 17);
  for (const name of names) {
    const img = readImageFile(join(FIX, name));
    assert.equal(img.width, expected.width, name);
    assert.equal(img.height, expected.height, name);
    assert.equal(img.channels, 3);
    assert.deepEqual([...img.data], expected.rgb[name], name);
  }
});

test('RGBA and grayscale+alpha composite on white: a fully transparent pixel reads as white', () => {
  const rgba = readImageFile(join(FIX, 'rgba8.png'));
  assert.ok(rgba.data.some((v) => v !== 255));
  const trns = readImageFile(join(FIX, 'gray8-trns.png'));
  assert.deepEqual([...trns.data.slice(0, 3)], [255, 255, 255]); // pixel (0, 0) has the key value 40
});

test('PNG round trip: encodePng then decodePng gives the same bytes back', () => {
  for (const [w, h] of [
    [1, 1],
    [7, 3],
    [48, 48],
  ]) {
    const img = randomImage(w, h, w * 100 + h);
    const back = decodePng(encodePng(img));
    assert.deepEqual(back, img);
  }
});

test('Adam7-interlaced PNGs decode (8 and 16 bits); interlaced 1/2/4-bit ones are refused in one line', () => {
  const img = randomImage(13, 9, 5);
  const interlaced = encode(
    { width: 13, height: 9, data: img.data, channels: 3, depth: 8 },
    { interlace: 'Adam7' },
  );
  assert.equal(interlaced[28], 1, 'the header says Adam7');
  assert.deepEqual(decodePng(interlaced), img);
  const wide = Uint16Array.from(img.data, (v) => v * 257);
  const png16 = encode({ width: 13, height: 9, data: wide, channels: 3, depth: 16 }, { interlace: 'Adam7' });
  assert.deepEqual(decodePng(png16), img);
  const gray1 = Uint8Array.from(readFileSync(join(FIX, 'gray1.png')));
  gray1[28] = 1; // claim Adam7 (the CRC is checked later; the refusal comes first)
  assert.match(
    errorLine(() => decodePng(gray1, 'g.png')),
    /^g\.png: interlaced PNG with 1-bit samples is not supported \(save it without interlacing\)$/,
  );
});

test('writeImageFile is atomic (no temporary file left) and reads back equal', () => {
  const img = randomImage(9, 4, 1);
  const path = join(TMP, 'a.png');
  writeImageFile(path, img);
  assert.deepEqual(readImageFile(path), img);
  assert.deepEqual(readdirSync(TMP), ['a.png']);
});

test('PPM: P6 and P3 of the same pixels agree; comments anywhere in the header', () => {
  const p6 = decodePpm(readFileSync(join(FIX, 'rgb8.ppm')));
  const text = `P3 # ascii\n${p6.width} ${p6.height}\n# max\n255\n${[...p6.data].join(' ')}\n`;
  assert.deepEqual(decodePpm(new TextEncoder().encode(text)), p6);
});

test('bilinear resize equals F.interpolate(mode=bilinear, align_corners=False)', () => {
  const golden = JSON.parse(readFileSync(join(FIX, 'resize-golden.json'), 'utf8')) as {
    cases: { in: [number, number]; out: [number, number]; x: number[]; y: number[] }[];
  };
  for (const c of golden.cases) {
    const y = resizeBilinear(c.x, c.in[0], c.in[1], 3, c.out[0], c.out[1]);
    assert.equal(y.length, c.y.length);
    for (let i = 0; i < y.length; i++)
      assert.ok(Math.abs(y[i] - c.y[i]) < 1e-3, `${c.in} -> ${c.out} at ${i}: ${y[i]} vs ${c.y[i]}`);
    const img: Image = { width: c.in[1], height: c.in[0], channels: 3, data: Uint8Array.from(c.x) };
    const small = resizeImage(img, c.out[1], c.out[0]);
    for (let i = 0; i < y.length; i++) assert.ok(Math.abs(small.data[i] - c.y[i]) <= 0.5 + 1e-3);
  }
});

test('fitImage: the right size passes, a wrong size is resized or refused in one line', () => {
  const img = randomImage(10, 6, 2);
  assert.equal(fitImage(img, 10, 6), img);
  const r = fitImage(img, 8, 8);
  assert.deepEqual([r.width, r.height], [8, 8]);
  const msg = errorLine(() => fitImage(img, 8, 8, { onMismatch: 'error', name: 'cat.png' }));
  assert.match(msg, /^cat\.png: is 10x6, the model takes 8x8/);
});

test('imageToTensor: (3, H, W), mean/std 0.5 maps 0..255 to -1..1, and tensorToImage inverts it', () => {
  const img = makeImage(2, 1, [0, 255, 51]);
  const t = imageToTensor(img);
  assert.deepEqual(t.shape, [3, 1, 2]);
  assert.deepEqual([...t.data], [-1, -1, 1, 1, -0.6000000238418579, -0.6000000238418579]);
  const custom = imageToTensor(img, { mean: [0, 0, 0], std: [1, 1, 1] });
  assert.equal(custom.data[2], 1);
  const big = randomImage(5, 4, 3);
  assert.deepEqual(tensorToImage(imageToTensor(big)), big);
  assert.match(
    errorLine(() => imageToTensor(img, { std: [0.5, 0, 0.5] })),
    /std 0 must be a positive/,
  );
});

test('corrupt, truncated and unknown bytes: one line naming the file and why', () => {
  const good = readFileSync(join(FIX, 'rgb8.png'));
  const cases: [string, Uint8Array, RegExp][] = [
    [
      'cut.png',
      good.subarray(0, good.length - 20),
      /^\S*cut\.png: truncated PNG \(chunk IDAT at byte 33 needs/,
    ],
    [
      'noend.png',
      good.subarray(0, good.length - 12),
      /noend\.png: truncated PNG \(the file ends at byte 96, before its IEND/,
    ],
    ['head.png', good.subarray(0, 20), /head\.png: truncated PNG \(20 bytes/],
    ['crc.png', Uint8Array.from(good).map((b, i) => (i === 40 ? b ^ 0xff : b)), /crc\.png: corrupt PNG/],
    [
      'huge.png',
      Uint8Array.from(good).map((b, i) => (i === 16 ? 0x7f : b)),
      /huge\.png: PNG size \d+x3 is outside/,
    ],
    [
      'area.png',
      Uint8Array.from(good).map((b, i) => (i === 18 || i === 22 ? 0x30 : b)),
      /area\.png: PNG size 12293x12291 exceeds 67108864 pixels/,
    ],
    [
      'ihdr.png',
      Uint8Array.from(good).map((b, i) => (i === 12 ? 0x68 : b)),
      /ihdr\.png: corrupt PNG \(the first chunk is not IHDR\)/,
    ],
    [
      'photo.jpg',
      Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]),
      /photo\.jpg: is a JPEG image; only PNG and PPM/,
    ],
    ['anim.gif', new TextEncoder().encode('GIF89a....'), /anim\.gif: is a GIF image/],
    ['notes.txt', new TextEncoder().encode('hello'), /notes\.txt: unknown image format/],
    ['empty.png', new Uint8Array(0), /empty\.png: is empty/],
    [
      'short.ppm',
      new TextEncoder().encode('P6 4 4 255\nabc'),
      /short\.ppm: truncated PPM \(3 bytes of pixels, 48/,
    ],
    ['word.ppm', new TextEncoder().encode('P6 4 x 255\n'), /word\.ppm: corrupt PPM \(the height is not/],
    [
      'max.ppm',
      new TextEncoder().encode('P3 1 1 15\n1 2 16\n'),
      /max\.ppm: corrupt PPM \(sample 2 is 16, above/,
    ],
    [
      'end.ppm',
      new TextEncoder().encode('P3 2 1 255\n1 2 3 4'),
      /end\.ppm: truncated PPM \(ends before the sample 4/,
    ],
    ['zero.ppm', new TextEncoder().encode('P6 0 4 255\n'), /zero\.ppm: PPM size 0x4 is outside/],
  ];
  for (const [name, bytes, re] of cases) {
    const path = join(TMP, name);
    writeFileSync(path, bytes);
    assert.match(
      errorLine(() => readImageFile(path)),
      re,
      name,
    );
  }
  assert.match(
    errorLine(() => readImageFile(join(TMP, 'missing.png'))),
    /missing\.png: cannot read image \(ENOENT\)/,
  );
});

test('every cut and many single-byte flips of a PNG or PPM give an LlmfsError, never a crash', () => {
  const rng = new Rng(7);
  for (const file of ['palette4-trns.png', 'rgba16.png', 'rgb16.ppm', 'ascii15.ppm']) {
    const good = new Uint8Array(readFileSync(join(FIX, file)));
    const decode = file.endsWith('.png') ? decodePng : decodePpm;
    for (let n = 0; n < good.length; n++)
      if (good.subarray(n).some((b) => b > 0x20)) errorLine(() => decode(good.subarray(0, n), file)); // cut more than trailing space
    for (let k = 0; k < 200; k++) {
      const bad = Uint8Array.from(good);
      bad[rng.randint(0, bad.length)] ^= 1 << rng.randint(0, 8);
      try {
        decode(bad, file); // some flips still decode (a pixel value, an ancillary byte)
      } catch (e) {
        assert.ok(e instanceof LlmfsError && !e.message.includes('\n'), `${file}: ${String(e)}`);
      }
    }
  }
});
