// Helpers for chapter 17's count-objects exercise: scenes and small hand-drawn pictures where the
// rule matters (corners, touching colours, a ring, nothing), the counts common mistakes give, and
// the check against the generator's own counts over 300 scenes.

import { makeImage, type Image } from '../../vision/image.js';
import { sceneExample } from '../../vision/scenes/dataset.js';
import { countObjects } from '../../vision/scenes/count.js';
import type { ExtraCheck } from '../spec.js';

/** A scene of the test split as its image. */
export const sceneImage = (index: number, size: number, maxObjects = 4): Image =>
  sceneExample('test', index, { size, minObjects: 1, maxObjects }).image;

/** A white w x h image with the given pixels painted: [x, y, [r, g, b]]. */
export function drawn(w: number, h: number, pixels: [number, number, readonly number[]][]): Image {
  const img = makeImage(w, h);
  for (const [x, y, c] of pixels) img.data.set(c, 3 * (y * w + x));
  return img;
}

const RED = [220, 40, 40];
const BLUE = [40, 60, 220];
const box = (x0: number, y0: number, x1: number, y1: number, c: readonly number[]) => {
  const px: [number, number, readonly number[]][] = [];
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) px.push([x, y, c]);
  return px;
};

/** Hand-drawn pictures where the rule matters: corners, touching colours, a ring, nothing. */
export const DRAWN = {
  corner: drawn(6, 6, [...box(0, 0, 1, 1, RED), ...box(2, 2, 3, 3, RED)]), // 2: they touch at a corner
  touching: drawn(8, 4, [...box(0, 0, 3, 3, RED), ...box(4, 0, 7, 3, BLUE)]), // 2: red beside blue
  ring: drawn(7, 7, [
    ...box(1, 1, 5, 1, BLUE),
    ...box(1, 5, 5, 5, BLUE),
    ...box(1, 2, 1, 4, BLUE),
    ...box(5, 2, 5, 4, BLUE),
  ]),
  twins: drawn(9, 3, [...box(0, 0, 2, 2, RED), ...box(6, 0, 8, 2, RED)]), // 2 of one colour
  empty: makeImage(5, 4),
  dot: drawn(1, 1, [[0, 0, BLUE]]),
};

export type CountMistake = 'eight-neighbours' | 'any-colour' | 'colours' | 'pixels' | 'with-background';

/** The count a common mistake gives. */
export function countVariant(image: Image, mistake: CountMistake): number {
  const { width: W, height: H, data } = image;
  const colour = (p: number) => (data[3 * p]! << 16) | (data[3 * p + 1]! << 8) | data[3 * p + 2]!;
  const white = 0xffffff;
  const cells = Array.from({ length: W * H }, (_, p) => p).filter((p) => colour(p) !== white);
  if (mistake === 'colours') return new Set(cells.map(colour)).size;
  if (mistake === 'pixels') return cells.length;
  if (mistake === 'with-background') return countObjects(image) + 1;
  const seen = new Uint8Array(W * H);
  let n = 0;
  for (const start of cells) {
    if (seen[start]) continue;
    n++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      const [x, y] = [p % W, Math.floor(p / W)];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const [X, Y] = [x + dx, y + dy];
          if (X < 0 || Y < 0 || X >= W || Y >= H) continue;
          const q = Y * W + X;
          if (seen[q] || colour(q) === white) continue;
          if (mistake === 'any-colour' ? dx !== 0 && dy !== 0 : colour(q) !== colour(p)) continue;
          seen[q] = 1;
          stack.push(q);
        }
    }
  }
  return n;
}

/** The learner's count over 300 scenes (32 and 48 pixels, 1-9 objects) against the generator's. */
export function generatorCountStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: "300 scenes of 1-9 objects (32 and 48 pixels): your count equals the generator's",
    timeLimitMs: 20000,
    run() {
      for (let i = 0; i < 300; i++) {
        const size = i % 2 === 0 ? 48 : 32;
        const e = sceneExample('test', 1000 + i, { size, minObjects: 1, maxObjects: 9 });
        const got = countObjects(e.image);
        if (got !== e.record.labels.count)
          return {
            passed: false,
            message:
              `test scene ${1000 + i} (${size}x${size}) has ${e.record.labels.count} objects, ` +
              `you counted ${got}`,
          };
      }
      return { passed: true, message: '300 of 300 scenes counted as the generator drew them' };
    },
  };
}
