// Draws a scene description into an RGB image: a white canvas, each object filled in its palette
// colour wherever a pixel's centre (x + 0.5, y + 0.5) falls inside the shape. No anti-aliasing,
// so every pixel is the background or exactly one palette colour (the tests count on this).

import { type Image, makeImage } from '../image.js';
import type { Scene, SceneObject } from './scene.js';
import { BACKGROUND, COLOURS, HALF_EXTENT, type ShapeName } from './vocabulary.js';

/**
 * Whether offset (dx, dy) from a shape's centre lies inside it, h being its half-extent:
 * circle dx² + dy² <= h²; square max(|dx|, |dy|) <= h; triangle pointing up, apex at -h, base at
 * +h, half as wide as tall at each height; cross: two bars of half-thickness 0.3h.
 */
export function insideShape(shape: ShapeName, dx: number, dy: number, h: number): boolean {
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= h * h;
    case 'square':
      return ax <= h && ay <= h;
    case 'triangle':
      return dy >= -h && dy <= h && ax <= (dy + h) / 2;
    case 'cross': {
      const t = 0.3 * h;
      return (ax <= h && ay <= t) || (ay <= h && ax <= t);
    }
  }
}

/** The half-extent in pixels of an object in a scene of side `size`. */
export function halfExtent(o: SceneObject, size: number): number {
  return HALF_EXTENT[o.size] * (size / 3);
}

/** The scene as a size x size RGB image. */
export function renderScene(scene: Scene): Image {
  const img = makeImage(scene.size, scene.size, BACKGROUND);
  for (const o of scene.objects) {
    const h = halfExtent(o, scene.size);
    const rgb = COLOURS[o.colour];
    const x0 = Math.max(0, Math.floor(o.x - h - 1));
    const x1 = Math.min(scene.size - 1, Math.ceil(o.x + h + 1));
    const y0 = Math.max(0, Math.floor(o.y - h - 1));
    const y1 = Math.min(scene.size - 1, Math.ceil(o.y + h + 1));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++)
        if (insideShape(o.shape, x + 0.5 - o.x, y + 0.5 - o.y, h))
          img.data.set(rgb, 3 * (y * scene.size + x));
  }
  return img;
}
