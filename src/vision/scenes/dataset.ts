// One example of the scene data set: the image and everything known about it, as the
// `llmfs vision data` JSONL line holds it (file, caption, questions, labels, objects).

import type { Image } from '../image.js';
import { captionScene } from './caption.js';
import { renderScene } from './render.js';
import { type QuestionAnswer, sceneQuestions } from './questions.js';
import type { Scene, SceneObject, SceneOptions } from './scene.js';
import { type Split, sceneSeed, splitScene } from './splits.js';
import { type ColourName, type ShapeName, type SizeName, isHeldOut } from './vocabulary.js';

/** Classification targets: the main object (the first in reading order) and the count. */
export interface SceneLabels {
  shape: ShapeName;
  colour: ColourName;
  size: SizeName;
  count: number;
}

export interface SceneRecord {
  split: Split;
  index: number;
  seed: number;
  size: number;
  caption: string;
  questions: QuestionAnswer[];
  labels: SceneLabels;
  objects: SceneObject[];
}

export interface SceneExample {
  scene: Scene;
  image: Image;
  record: SceneRecord;
}

/** Scene `index` of `split`: drawn, rendered, captioned and questioned (all by its seed). */
export function sceneExample(split: Split, index: number, options: SceneOptions = {}): SceneExample {
  const { scene, rng } = splitScene(split, index, options);
  const askable = split === 'unseen' ? () => true : (s: ShapeName, c: ColourName) => !isHeldOut(s, c);
  const main = scene.objects[0];
  const record: SceneRecord = {
    split,
    index,
    seed: sceneSeed(split, index),
    size: scene.size,
    caption: captionScene(scene),
    questions: sceneQuestions(scene, rng, askable),
    labels: { shape: main.shape, colour: main.colour, size: main.size, count: scene.objects.length },
    objects: scene.objects,
  };
  return { scene, image: renderScene(scene), record };
}

/** The file name of scene `index` of `split`: "train-000042.png" (six digits at least). */
export function sceneFileName(split: Split, index: number): string {
  return `${split}-${String(index).padStart(6, '0')}.png`;
}

/** The JSONL line (no newline) for an example saved as `file`: the file first, then the record. */
export function sceneJsonLine(record: SceneRecord, file: string): string {
  return JSON.stringify({ file, ...record });
}
