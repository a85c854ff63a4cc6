// The classification targets of a scene (issue 20): one head per attribute of the main object
// (the first in reading order) and one for the object count, each with a fixed list of class
// names. A head's class id is the name's index in its list; the lists are saved in the checkpoint
// so a loaded model names its predictions without knowing the generator.

import { LlmfsError } from '../../errors.js';
import type { SceneLabels } from '../scenes/dataset.js';
import { COLOUR_NAMES, SHAPES, SIZES } from '../scenes/vocabulary.js';

/** Head name -> its class names in id order, e.g. {shape: ['circle', ...], count: ['1', ...]}. */
export type LabelVocabularies = Record<string, string[]>;

/** The heads scene labels can train. */
export const SCENE_HEADS = ['shape', 'colour', 'size', 'count'] as const;
export type SceneHead = (typeof SCENE_HEADS)[number];

/**
 * The heads for scenes of minObjects..maxObjects objects: shape, colour and size of the main
 * object, and count when the count can vary (with one fixed count it would be a constant).
 */
export function sceneVocabularies(minObjects: number, maxObjects: number): LabelVocabularies {
  const v: LabelVocabularies = { shape: [...SHAPES], colour: [...COLOUR_NAMES], size: [...SIZES] };
  if (maxObjects > minObjects) {
    v.count = [];
    for (let n = minObjects; n <= maxObjects; n++) v.count.push(String(n));
  }
  return v;
}

/** The class counts per head, as the ViT config's `heads` wants them. */
export function headSizes(v: LabelVocabularies): Record<string, number> {
  return Object.fromEntries(Object.entries(v).map(([name, classes]) => [name, classes.length]));
}

/** A scene's label for one head, as the class name (count as its digits). */
export function sceneLabel(labels: SceneLabels, head: string): string {
  if (!(SCENE_HEADS as readonly string[]).includes(head))
    throw new LlmfsError(`vision classify: no scene label for head '${head}' (${SCENE_HEADS.join(', ')})`);
  return String(labels[head as SceneHead]);
}

/** The class id of a scene for every head of `v`; a label outside a head's list is one line. */
export function sceneTargets(labels: SceneLabels, v: LabelVocabularies): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [head, classes] of Object.entries(v)) {
    const name = sceneLabel(labels, head);
    const id = classes.indexOf(name);
    if (id < 0)
      throw new LlmfsError(
        `vision classify: ${head} '${name}' is not one of the model's classes (${classes.join(', ')})`,
      );
    out[head] = id;
  }
  return out;
}
