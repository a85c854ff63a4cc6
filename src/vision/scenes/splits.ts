// Splits. Each split owns a disjoint range of seeds: scene i of split s is drawn from
// Rng(SPLIT_BASE[s] + i). Beyond the seeds, the contents are disjoint too:
//   - train/val/test partition scene layouts by a hash of the exact description (cells, sizes,
//     colours, shapes; not the jitter): FNV-1a(key) mod 10 is 0-7 train, 8 val, 9 test, and a
//     scene drawn for the wrong split is drawn again from the same generator;
//   - none of them holds a HELD_OUT (shape, colour) pair; every "unseen" scene holds at least one.

import { LlmfsError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import { type Scene, type SceneOptions, pick, sampleScene, sceneOptions } from './scene.js';
import { HELD_OUT, isHeldOut } from './vocabulary.js';

export const SPLITS = ['train', 'val', 'test', 'unseen'] as const;
export type Split = (typeof SPLITS)[number];

/** Scenes per split: the seed ranges [base, base + SPLIT_SEEDS) never overlap. */
export const SPLIT_SEEDS = 1_000_000_000;
export const SPLIT_BASE: Record<Split, number> = {
  train: 0,
  val: SPLIT_SEEDS,
  test: 2 * SPLIT_SEEDS,
  unseen: 3 * SPLIT_SEEDS,
};

/** The seed of scene `index` of `split` (checked to lie in the split's range). */
export function sceneSeed(split: Split, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= SPLIT_SEEDS)
    throw new LlmfsError(
      `scenes: index ${index} of split ${split} must be a whole number in 0..${SPLIT_SEEDS - 1}`,
    );
  return SPLIT_BASE[split] + index;
}

/** The layout key: every attribute but the jitter, in reading order. */
export function layoutKey(scene: Scene): string {
  return scene.objects.map((o) => `${o.row}${o.col} ${o.size} ${o.colour} ${o.shape}`).join(', ');
}

/** FNV-1a, 32-bit, over the key's UTF-16 code units (all ASCII here). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Which of train/val/test a layout belongs to (the unseen split is decided by its pairs). */
export function layoutSplit(scene: Scene): Exclude<Split, 'unseen'> {
  const bucket = fnv1a(layoutKey(scene)) % 10;
  return bucket < 8 ? 'train' : bucket === 8 ? 'val' : 'test';
}

/** The most draws for one scene; each layout lands in a split with probability >= 0.1. */
const MAX_DRAWS = 1000;

/** Scene `index` of `split`, and the generator left after drawing it (for the questions). */
export function splitScene(
  split: Split,
  index: number,
  options: SceneOptions = {},
): { scene: Scene; rng: Rng } {
  const opts = sceneOptions(options);
  const rng = new Rng(sceneSeed(split, index));
  if (split === 'unseen') {
    const scene = sampleScene(rng, opts);
    // One object (chosen by the generator) takes a held-out pair; the others may too.
    const o = pick(rng, scene.objects);
    [o.shape, o.colour] = pick(rng, HELD_OUT);
    return { scene, rng };
  }
  const seen = (s: Parameters<typeof isHeldOut>[0], c: Parameters<typeof isHeldOut>[1]) => !isHeldOut(s, c);
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const scene = sampleScene(rng, opts, seen);
    if (layoutSplit(scene) === split) return { scene, rng };
  }
  throw new LlmfsError(`scenes: no ${split} layout found in ${MAX_DRAWS} draws for scene ${index}`);
}
