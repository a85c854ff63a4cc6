// The scene generator, at 48 and 64 pixels (at 32 a small triangle is a few pixels and reads as a
// circle, which is why 48 is the default): the same seed gives the same scene; every caption and
// answer agrees with what the pixels show, read back by a separate look at the image (connected
// components of each palette colour, their cells, widths and outlines); splits are disjoint by
// seed and by layout; held-out (shape, colour) pairs appear only in the unseen split; the
// vocabulary is closed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Image } from '../../src/vision/image.js';
import { sceneExample, type SceneRecord } from '../../src/vision/scenes/dataset.js';
import { CAPTION_WORDS } from '../../src/vision/scenes/caption.js';
import { ANSWERS, QUESTION_WORDS } from '../../src/vision/scenes/questions.js';
import { SPLITS, layoutKey, sceneSeed } from '../../src/vision/scenes/splits.js';
import { jitterStep, sceneOptions, type SceneObject } from '../../src/vision/scenes/scene.js';
import { renderScene } from '../../src/vision/scenes/render.js';
import { COLOURS, HELD_OUT, PLURALS, POSITIONS, isHeldOut } from '../../src/vision/scenes/vocabulary.js';
import { LlmfsError } from '../../src/errors.js';

/** What the pixels show: one entry per 4-connected region of one palette colour. */
interface Seen {
  colour: string;
  shape: string;
  size: string;
  position: string;
  row: number;
  col: number;
}

function shapeOf(mask: boolean[][]): string {
  const h = mask.length;
  const w = mask[0].length;
  const count = (r: boolean[]) => r.filter(Boolean).length;
  const area = mask.reduce((s, r) => s + count(r), 0);
  if (area / (w * h) >= 0.95) return 'square';
  if (count(mask[0]) * 2 < count(mask[h - 1])) return 'triangle'; // narrow top, wide base
  // Halfway from the centre to a corner: inside a circle (0.71 of its radius), outside a cross's bars.
  return mask[Math.floor(h / 4)][Math.floor(w / 4)] ? 'circle' : 'cross';
}

/** The objects as the image shows them, in reading order of their cells. */
function look(image: Image): Seen[] {
  const { width: W, height: H, data } = image;
  const names = Object.entries(COLOURS);
  const colourAt = (x: number, y: number): string | null => {
    const i = 3 * (y * W + x);
    const hit = names.find(([, c]) => c[0] === data[i] && c[1] === data[i + 1] && c[2] === data[i + 2]);
    if (hit) return hit[0];
    assert.deepEqual([data[i], data[i + 1], data[i + 2]], [255, 255, 255], 'background or a palette colour');
    return null;
  };
  const seen = new Int8Array(W * H);
  const found: Seen[] = [];
  const cell = W / 3;
  for (let y0 = 0; y0 < H; y0++)
    for (let x0 = 0; x0 < W; x0++) {
      const colour = colourAt(x0, y0);
      if (colour === null || seen[y0 * W + x0]) continue;
      const pixels: [number, number][] = [];
      const stack: [number, number][] = [[x0, y0]];
      seen[y0 * W + x0] = 1;
      while (stack.length) {
        const [x, y] = stack.pop()!;
        pixels.push([x, y]);
        for (const [nx, ny] of [
          [x + 1, y],
          [x - 1, y],
          [x, y + 1],
          [x, y - 1],
        ])
          if (nx >= 0 && ny >= 0 && nx < W && ny < H && !seen[ny * W + nx] && colourAt(nx, ny) === colour) {
            seen[ny * W + nx] = 1;
            stack.push([nx, ny]);
          }
      }
      const xs = pixels.map((p) => p[0]);
      const ys = pixels.map((p) => p[1]);
      const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const mask = Array.from({ length: maxY - minY + 1 }, () =>
        new Array<boolean>(maxX - minX + 1).fill(false),
      );
      for (const [x, y] of pixels) mask[y - minY][x - minX] = true;
      const row = Math.floor((minY + maxY + 1) / 2 / cell);
      const col = Math.floor((minX + maxX + 1) / 2 / cell);
      assert.ok(minX >= col * cell && maxX < (col + 1) * cell, 'a region stays inside its cell');
      const size = maxX - minX + 1 > 0.65 * cell ? 'large' : 'small';
      found.push({ colour, shape: shapeOf(mask), size, position: POSITIONS[row][col], row, col });
    }
  return found.sort((a, b) => a.row * 3 + a.col - (b.row * 3 + b.col));
}

/** Reads the caption back by its grammar. */
function parseCaption(caption: string): Omit<Seen, 'row' | 'col'>[] {
  return caption.split(' and ').map((phrase) => {
    const m = /^a (small|large) (\w+) (\w+) (?:in the centre|on the (left|right)|at the ([a-z ]+))$/.exec(
      phrase,
    );
    assert.ok(m, `phrase follows the grammar: ${phrase}`);
    return { size: m[1], colour: m[2], shape: m[3], position: m[4] ?? m[5] ?? 'centre' };
  });
}

/** Answers a question from what the image shows (a second reading of each template). */
function answer(q: string, seen: Seen[]): string {
  const n = (f: (s: Seen) => boolean) => String(seen.filter(f).length);
  const only = (f: (s: Seen) => boolean) => {
    const hits = seen.filter(f);
    assert.equal(hits.length, 1, `"${q}" has one referent`);
    return hits[0];
  };
  let m: RegExpExecArray | null;
  if (q === 'how many objects?') return String(seen.length);
  if ((m = /^how many (\w+) objects\?$/.exec(q))) return n((s) => s.colour === m![1]);
  if ((m = /^how many (\w+)\?$/.exec(q))) return n((s) => PLURALS[s.shape as keyof typeof PLURALS] === m![1]);
  if ((m = /^is there an? (\w+) (\w+)\?$/.exec(q)))
    return seen.some((s) => s.colour === m![1] && s.shape === m![2]) ? 'yes' : 'no';
  if ((m = /^what colour is the (\w+)\?$/.exec(q))) return only((s) => s.shape === m![1]).colour;
  if ((m = /^what shape is the (\w+) object\?$/.exec(q))) return only((s) => s.colour === m![1]).shape;
  if ((m = /^what size is the (\w+) (\w+)\?$/.exec(q)))
    return only((s) => s.colour === m![1] && s.shape === m![2]).size;
  if ((m = /^where is the (\w+) (\w+)\?$/.exec(q)))
    return only((s) => s.colour === m![1] && s.shape === m![2]).position;
  assert.fail(`unknown question: ${q}`);
}

/** Below 48 pixels small shapes are too few pixels to name: compare colours, cells and counts. */
function checkSmallAgainstPixels(image: Image, r: SceneRecord): void {
  const seen = look(image);
  assert.deepEqual(
    seen.map((s) => `${s.colour} ${s.position}`),
    r.objects.map((o) => `${o.colour} ${o.position}`),
    `${r.size}x${r.size} scene ${r.index}: one region per object, in its cell, none touching`,
  );
}

function checkAgainstPixels(image: Image, r: SceneRecord): void {
  const seen = look(image);
  assert.deepEqual(
    parseCaption(r.caption),
    seen.map(({ row: _r, col: _c, ...rest }) => rest),
    `caption of ${r.split} ${r.index}`,
  );
  for (const qa of r.questions) assert.equal(answer(qa.question, seen), qa.answer, qa.question);
  assert.deepEqual(r.labels, {
    shape: seen[0].shape,
    colour: seen[0].colour,
    size: seen[0].size,
    count: seen.length,
  });
  for (const o of r.objects) {
    const i = 3 * (Math.floor(o.y) * r.size + Math.floor(o.x));
    assert.deepEqual(
      [...image.data.slice(i, i + 3)],
      [...COLOURS[o.colour]],
      'the centre pixel has its colour',
    );
  }
}

test('captions, answers and labels agree with the pixels (48x48 and 64x64, every split)', () => {
  for (const size of [48, 64])
    for (const split of SPLITS)
      for (let i = 0; i < 60; i++) {
        const { image, record } = sceneExample(split, i, { size });
        checkAgainstPixels(image, record);
      }
});

test('on 24, 32 and 40 pixel canvases every object is its own region, in its cell, in its colour', () => {
  for (const size of [24, 32, 40])
    for (const split of SPLITS)
      for (let i = 0; i < 60; i++) {
        const { image, record } = sceneExample(split, i, { size });
        checkSmallAgainstPixels(image, record);
      }
});

test('two large squares jittered towards each other in neighbouring cells never touch (sizes 24-96)', () => {
  for (let size = 24; size <= 96; size++) {
    const cell = size / 3;
    const j = jitterStep(size);
    const square = (col: number, dx: number): SceneObject => ({
      shape: 'square',
      colour: 'red',
      size: 'large',
      row: 1,
      col,
      position: POSITIONS[1][col],
      x: (col + 0.5) * cell + dx,
      y: 1.5 * cell,
    });
    const image = renderScene({ size, objects: [square(0, j), square(1, -j)] });
    assert.equal(look(image).length, 2, `size ${size}: the squares touch`);
  }
});

test('the same seed gives the same scene, image and questions; another seed another scene', () => {
  const a = sceneExample('train', 12);
  const b = sceneExample('train', 12);
  assert.deepEqual(a, b);
  const c = sceneExample('train', 13);
  assert.notDeepEqual(a.record.caption + a.record.objects[0].x, c.record.caption + c.record.objects[0].x);
});

test('splits: disjoint seed ranges and disjoint layouts; held-out pairs only (and always) in unseen', () => {
  const layouts: Record<string, Set<string>> = {};
  const seeds = new Set<number>();
  for (const split of SPLITS) {
    layouts[split] = new Set();
    for (let i = 0; i < 300; i++) {
      const { record, scene } = sceneExample(split, i, { maxObjects: 2 });
      assert.ok(!seeds.has(record.seed), 'a seed belongs to one split');
      seeds.add(record.seed);
      layouts[split].add(layoutKey(scene));
      const held = record.objects.filter((o) => isHeldOut(o.shape, o.colour));
      if (split === 'unseen') assert.ok(held.length >= 1, 'every unseen scene has a held-out pair');
      else {
        assert.equal(held.length, 0, `no held-out pair in ${split}`);
        for (const { question } of record.questions)
          for (const [s, c] of HELD_OUT)
            assert.ok(!question.includes(`${c} ${s}`), `${split} text: ${question}`);
      }
    }
  }
  for (const a of ['train', 'val', 'test'])
    for (const b of ['train', 'val', 'test'])
      if (a < b) for (const k of layouts[a]) assert.ok(!layouts[b].has(k), `${a} and ${b} share ${k}`);
  assert.equal(sceneSeed('val', 0), 1_000_000_000);
  assert.throws(() => sceneSeed('test', 1e9), LlmfsError);
});

test('the vocabulary is closed: every caption word, question word and answer is listed', () => {
  const captionWords = new Set<string>();
  for (const split of SPLITS)
    for (let i = 0; i < 200; i++) {
      const { record } = sceneExample(split, i);
      for (const w of record.caption.split(' ')) {
        assert.ok(CAPTION_WORDS.includes(w), `caption word ${w}`);
        captionWords.add(w);
      }
      for (const qa of record.questions) {
        for (const w of qa.question.replace('?', ' ?').split(' ')) assert.ok(QUESTION_WORDS.includes(w), w);
        assert.ok(ANSWERS.includes(qa.answer), qa.answer);
      }
    }
  assert.deepEqual([...captionWords].sort(), CAPTION_WORDS, 'and every listed caption word is used');
  assert.deepEqual(CAPTION_WORDS, [
    ...'a and at blue bottom centre circle cross green in large left on orange purple'.split(' '),
    ...'red right small square the top triangle yellow'.split(' '),
  ]);
});

test('options: object counts and sizes are honoured; bad options are one clear line', () => {
  for (let i = 0; i < 50; i++) {
    const { record, image } = sceneExample('train', i, { minObjects: 1, maxObjects: 1, size: 32 });
    assert.equal(record.objects.length, 1);
    assert.equal(image.width, 32);
  }
  assert.throws(() => sceneOptions({ size: 20 }), /scenes: size 20 must be a whole number in 24\.\.1024/);
  assert.throws(() => sceneOptions({ minObjects: 3, maxObjects: 2 }), /the fewest objects \(3\) exceeds/);
  assert.throws(() => sceneOptions({ maxObjects: 10 }), /must be whole numbers in 1\.\.9/);
});
