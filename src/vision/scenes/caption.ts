// The caption grammar (fixed, so a caption can be checked word by word):
//   caption := phrase ( " and " phrase )*          one phrase per object, in reading order
//   phrase  := "a " size " " colour " " shape " " where
//   where   := "in the centre" | "on the left" | "on the right" | "at the " position
// e.g. "a large red circle at the top left and a small blue square in the centre".

import type { Scene, SceneObject } from './scene.js';
import { COLOUR_NAMES, POSITIONS, SHAPES, SIZES, wherePhrase } from './vocabulary.js';

/** One object's phrase: "a small blue square in the centre". */
export function objectPhrase(o: SceneObject): string {
  return `a ${o.size} ${o.colour} ${o.shape} ${wherePhrase(o.position)}`;
}

/** The scene's caption under the grammar above. */
export function captionScene(scene: Scene): string {
  return scene.objects.map(objectPhrase).join(' and ');
}

/** Every word a caption can use, sorted (the vocabulary is closed). */
export const CAPTION_WORDS: readonly string[] = [
  ...new Set([
    'a',
    'and',
    'the',
    'in',
    'on',
    'at',
    ...SIZES,
    ...COLOUR_NAMES,
    ...SHAPES,
    ...POSITIONS.flat().flatMap((p) => p.split(' ')),
  ]),
].sort();
