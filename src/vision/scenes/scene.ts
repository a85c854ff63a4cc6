// A scene as data: 1-4 objects, each a (shape, colour, size) in its own cell of a 3x3 grid,
// jittered a little inside the cell. The description is exact: captions, answers and labels are
// all read from it, and the renderer draws it (render.ts), so the text never disagrees with
// the pixels. Objects are kept in reading order (row by row, left to right).

import { LlmfsError } from '../../errors.js';
import type { Rng } from '../../tensor/rng.js';
import {
  COLOUR_NAMES,
  POSITIONS,
  SHAPES,
  SIZES,
  type ColourName,
  type PositionName,
  type ShapeName,
  type SizeName,
} from './vocabulary.js';

export interface SceneObject {
  shape: ShapeName;
  colour: ColourName;
  size: SizeName;
  /** The grid cell: row 0..2 (top to bottom), col 0..2 (left to right). */
  row: number;
  col: number;
  position: PositionName;
  /** The centre in pixels (x right, y down); within jitterStep(size) of the cell's centre. */
  x: number;
  y: number;
}

export interface Scene {
  /** The canvas is size x size pixels. */
  size: number;
  objects: SceneObject[];
}

export interface SceneOptions {
  /** Canvas side in pixels (default 48: 3x3 cells of 16, patches of 8 or 16 tile it exactly). */
  size?: number;
  /** Fewest and most objects per scene (defaults 1 and 4; at most 9, one per cell). */
  minObjects?: number;
  maxObjects?: number;
}

export const DEFAULT_SCENE_SIZE = 48;
export const MIN_SCENE_SIZE = 24;

/** The options with defaults, checked (one line per fault). */
export function sceneOptions(o: SceneOptions = {}): Required<SceneOptions> {
  const size = o.size ?? DEFAULT_SCENE_SIZE;
  const minObjects = o.minObjects ?? 1;
  const maxObjects = o.maxObjects ?? 4;
  if (!Number.isInteger(size) || size < MIN_SCENE_SIZE || size > 1024)
    throw new LlmfsError(`scenes: size ${size} must be a whole number in ${MIN_SCENE_SIZE}..1024`);
  if (!Number.isInteger(minObjects) || !Number.isInteger(maxObjects) || minObjects < 1 || maxObjects > 9)
    throw new LlmfsError(`scenes: object counts ${minObjects}..${maxObjects} must be whole numbers in 1..9`);
  if (minObjects > maxObjects)
    throw new LlmfsError(`scenes: the fewest objects (${minObjects}) exceeds the most (${maxObjects})`);
  return { size, minObjects, maxObjects };
}

/**
 * How far (in pixels) an object's centre may move from its cell's centre, each way: a sixteenth
 * of a cell, where that still leaves more than a pixel between two large objects in neighbouring
 * cells (cell - 2 * 0.4 cell - 2 jitter > 1, so sizes above 40); none on smaller canvases.
 */
export function jitterStep(size: number): number {
  const cell = size / 3;
  return 0.2 * cell - 2 * (cell / 16) > 1 ? cell / 16 : 0;
}

/** A uniform choice from a list. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.randint(0, items.length)];
}

/**
 * Draws a scene: the object count, distinct cells, and each object's attributes. `allowed`
 * filters (shape, colour) pairs (the split rules); a refused pair is drawn again.
 */
export function sampleScene(
  rng: Rng,
  options: Required<SceneOptions>,
  allowed: (shape: ShapeName, colour: ColourName) => boolean = () => true,
): Scene {
  const { size, minObjects, maxObjects } = options;
  const n = rng.randint(minObjects, maxObjects + 1);
  const cells = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  for (let i = 0; i < n; i++) {
    const j = rng.randint(i, 9); // a partial Fisher-Yates shuffle: the first n cells
    [cells[i], cells[j]] = [cells[j], cells[i]];
  }
  const chosen = cells.slice(0, n).sort((a, b) => a - b); // reading order
  const cell = size / 3;
  const objects = chosen.map((c): SceneObject => {
    const row = Math.floor(c / 3);
    const col = c % 3;
    let shape: ShapeName;
    let colour: ColourName;
    do {
      shape = pick(rng, SHAPES);
      colour = pick(rng, COLOUR_NAMES);
    } while (!allowed(shape, colour));
    const sz = pick(rng, SIZES);
    const jitter = () => rng.randint(-1, 2) * jitterStep(size);
    const x = (col + 0.5) * cell + jitter();
    const y = (row + 0.5) * cell + jitter();
    return { shape, colour, size: sz, row, col, position: POSITIONS[row][col], x, y };
  });
  return { size, objects };
}
