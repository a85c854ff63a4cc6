// `llmfs vision eval --model DIR --image FILE`: one picture through the image door to a tiny
// trained classifier. Grayscale and RGBA files give exactly the prediction of their RGB version
// (the decoder's documented conversions), a 32x32 file for a 48x48 model is resized with a note
// (the same prediction as resizing it first) or refused, and corrupt, truncated, JPEG and missing
// files are one line each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { visionCommand } from '../../src/cli/vision.js';
import { LlmfsError } from '../../src/errors.js';
import { writeImageFile } from '../../src/io/image-files.js';
import { sceneExample } from '../../src/vision/scenes/dataset.js';
import { resizeImage } from '../../src/vision/resize.js';
import type { Image } from '../../src/vision/image.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-vision-input-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

type Write = typeof process.stderr.write;

/** `llmfs vision ...` in-process: console.log and stderr captured, an LlmfsError as exit 1. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; error: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, err: process.stderr.write };
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as Write;
  try {
    const code = (await visionCommand.run(argv)) ?? 0;
    return { code, stdout, stderr, error: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, stdout, stderr, error: e.message };
  } finally {
    console.log = saved.log;
    process.stderr.write = saved.err;
  }
}

const model = join(TMP, 'model');
const tiny = ['--steps', '4', '--batch-size', '4', '--eval-every', '4', '--eval-count', '4', '--quiet'];
const small = ['--d-model', '8', '--n-head', '2', '--n-layer', '1'];

interface Prediction {
  label: string;
  probability: number;
  probabilities: Record<string, number>;
}
interface ImageJson {
  model: string;
  image: string;
  resized: { from: number[]; to: number[] } | null;
  heads: Record<string, Prediction>;
}

async function classify(file: string, ...extra: string[]): Promise<ImageJson> {
  const r = await run(['eval', '--model', model, '--image', file, '--json', ...extra]);
  assert.equal(r.code, 0, r.error);
  return JSON.parse(r.stdout) as ImageJson;
}

function png(name: string, image: Image): string {
  const path = join(TMP, name);
  writeImageFile(path, image);
  return path;
}

/** The scene's luminance as one channel (ITU-R BT.601 weights, rounded). */
function gray(image: Image): Uint8Array {
  const g = new Uint8Array(image.width * image.height);
  for (let p = 0; p < g.length; p++) {
    const [r, gr, b] = image.data.subarray(3 * p, 3 * p + 3);
    g[p] = Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
  }
  return g;
}

test('vision eval --image: each head names a class with its probability (text and --json)', async () => {
  const t = await run(['train', '--task', 'classify', '--out', model, ...tiny, ...small]);
  assert.equal(t.code, 0, t.error);
  const { image } = sceneExample('test', 0, { size: 48 });
  const file = png('scene.png', image);
  const j = await classify(file);
  assert.equal(j.image, file);
  assert.equal(j.resized, null);
  assert.deepEqual(Object.keys(j.heads), ['shape', 'colour', 'size', 'count']);
  for (const p of Object.values(j.heads)) {
    const probs = Object.values(p.probabilities);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(p.probability, Math.max(...probs));
    assert.equal(p.probabilities[p.label], p.probability);
  }
  assert.deepEqual(Object.keys(j.heads.count.probabilities), ['1', '2', '3', '4']);
  const text = await run(['eval', '--model', model, '--image', file]);
  assert.equal(text.code, 0, text.error);
  assert.equal(text.stderr, '');
  const lines = text.stdout.trimEnd().split('\n');
  assert.match(lines[0], /on .*scene\.png:$/);
  assert.equal(lines.length, 5);
  for (const [i, h] of ['shape', 'colour', 'size', 'count'].entries()) {
    const pct = (100 * j.heads[h].probability).toFixed(1);
    assert.match(lines[i + 1], new RegExp(`^  ${h} +${j.heads[h].label} +${pct}%$`));
  }
});

test('vision eval --image: grayscale and RGBA files predict exactly as their RGB versions', async () => {
  const { image } = sceneExample('test', 1, { size: 48 });
  const { width, height } = image;
  // Grayscale (one channel) against RGB (g, g, g): the decoder copies g to every channel.
  const g = gray(image);
  const grayFile = join(TMP, 'gray.png');
  writeFileSync(grayFile, encode({ width, height, data: g, channels: 1, depth: 8 }));
  const rgbOfGray = join(TMP, 'gray-as-rgb.png');
  const rgbData = new Uint8Array(3 * g.length);
  g.forEach((v, p) => rgbData.set([v, v, v], 3 * p));
  writeImageFile(rgbOfGray, { width, height, channels: 3, data: rgbData });
  const fromGray = await classify(grayFile);
  assert.deepEqual(fromGray.heads, (await classify(rgbOfGray)).heads);

  // RGBA: the white background made transparent (with junk colour under it), objects opaque.
  // Composited on white that is the scene again, so the prediction is the scene's.
  const rgba = new Uint8Array(4 * g.length);
  for (let p = 0; p < g.length; p++) {
    const px = image.data.subarray(3 * p, 3 * p + 3);
    const white = px[0] === 255 && px[1] === 255 && px[2] === 255;
    rgba.set(white ? [p % 256, 7, 200, 0] : [...px, 255], 4 * p);
  }
  const rgbaFile = join(TMP, 'rgba.png');
  writeFileSync(rgbaFile, encode({ width, height, data: rgba, channels: 4, depth: 8 }));
  const scene = await classify(png('scene1.png', image));
  assert.deepEqual((await classify(rgbaFile)).heads, scene.heads);
  // A planted difference is seen: the gray version is another input, other probabilities.
  assert.notDeepEqual(fromGray.heads, scene.heads);
});

test('vision eval --image: a 32x32 file for a 48x48 model is resized with a note, or refused', async () => {
  const { image } = sceneExample('test', 2, { size: 32 });
  const small32 = png('small.png', image);
  const r = await run(['eval', '--model', model, '--image', small32, '--json']);
  assert.equal(r.code, 0, r.error);
  assert.equal(
    r.stderr,
    `note: ${small32} is 32x32, resized (bilinear) to the model's 48x48 (--on-size-mismatch error refuses instead)\n`,
  );
  const j = JSON.parse(r.stdout) as ImageJson;
  assert.deepEqual(j.resized, { from: [32, 32], to: [48, 48] });
  // The same as resizing first and classifying the 48x48 file.
  const pre = await classify(png('resized.png', resizeImage(image, 48, 48)));
  assert.deepEqual(j.heads, pre.heads);
  const e = await run(['eval', '--model', model, '--image', small32, '--on-size-mismatch', 'error']);
  assert.equal(e.code, 1);
  assert.equal(e.error, `${small32}: is 32x32, the model takes 48x48 (resize it, or allow resizing)`);
});

test('vision eval --image: corrupt, truncated, JPEG, missing and bad flags are one line each', async () => {
  const good = readFileSync(png('good.png', sceneExample('test', 4, { size: 48 }).image));
  const corrupt = Uint8Array.from(good);
  corrupt[good.length - 20] ^= 0xff; // inside the image data: its CRC no longer matches
  const files: Record<string, Uint8Array> = {
    'corrupt.png': corrupt,
    'cut.png': good.subarray(0, Math.floor(good.length / 2)),
    'photo.jpg': Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]),
    'empty.png': new Uint8Array(0),
    'notes.png': new TextEncoder().encode('hello, not an image'),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(TMP, name), bytes);
  const at = (n: string) => join(TMP, n);
  const cases: [string[], RegExp][] = [
    [['--image', at('corrupt.png')], /corrupt\.png: corrupt PNG \(.*crc.*\)$/i],
    [
      ['--image', at('cut.png')],
      /cut\.png: truncated PNG \(chunk IDAT at byte 33 needs \d+ bytes, \d+ remain\)$/,
    ],
    [['--image', at('photo.jpg')], /photo\.jpg: is a JPEG image; only PNG and PPM \(P3\/P6\) are read/],
    [['--image', at('empty.png')], /empty\.png: is empty, not an image$/],
    [['--image', at('notes.png')], /notes\.png: unknown image format/],
    [['--image', at('nowhere.png')], /nowhere\.png: cannot read image/],
    [['--image', at('good.png'), '--on-size-mismatch', 'crop'], /--on-size-mismatch must be one of/],
    [['--image', ''], /^vision eval: --image needs a file name$/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(['eval', '--model', model, ...argv]);
    assert.equal(r.code, 1, argv.join(' '));
    assert.ok(!r.error.includes('\n'), r.error);
    assert.match(r.error, re, argv.join(' '));
    assert.equal(r.stdout, '');
  }
});
