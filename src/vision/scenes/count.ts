// Counting the objects in a rendered scene from its pixels alone: the connected components of
// same-coloured, non-background pixels, joined through their 4 neighbours (up, down, left, right),
// found by flood fill (a stack of pixels to visit; the classic labelling algorithm, e.g.
// Rosenfeld & Pfaltz 1966, "Sequential operations in digital picture processing"). The renderer
// draws each object in one flat colour without anti-aliasing, and keeps objects apart, so this
// equals the generator's count: what the ViT's count head has to learn from the same pixels.
// Exercisable: chapter 17's 'count-objects'.

import type { Image } from '../image.js';
import { exercisable } from '../../exercises/registry.js';
import { BACKGROUND } from './vocabulary.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'count-objects' (chapter 17): same-colour 4-connected regions that are not white. */
    countObjects(image: Image): number;
  }
}

/** The number of 4-connected regions of one non-background colour in the image. */
export const countObjects = exercisable('countObjects', (image: Image): number => {
  const { width: W, height: H, data } = image;
  const colour = (p: number): number => (data[3 * p] << 16) | (data[3 * p + 1] << 8) | data[3 * p + 2];
  const background = (BACKGROUND[0] << 16) | (BACKGROUND[1] << 8) | BACKGROUND[2];
  const seen = new Uint8Array(W * H);
  let regions = 0;
  for (let start = 0; start < W * H; start++) {
    if (seen[start] || colour(start) === background) continue;
    regions++;
    const c = colour(start);
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % W;
      const y = (p - x) / W;
      const next = [x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, y > 0 ? p - W : -1, y < H - 1 ? p + W : -1];
      for (const q of next)
        if (q >= 0 && !seen[q] && colour(q) === c) {
          seen[q] = 1;
          stack.push(q);
        }
    }
  }
  return regions;
});
