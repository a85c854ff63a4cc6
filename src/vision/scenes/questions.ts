// Question/answer pairs read from a scene's description, so every answer is exact. Templates
// (each asked at most once per scene, in this order, when it has one right answer):
//   count      "how many objects?"                -> "1".."4"
//   count-shape "how many circles?"               -> "0".."4" (a shape present half the time)
//   count-colour "how many red objects?"          -> "0".."4" (a colour present half the time)
//   exists     "is there a red circle?"           -> "yes" | "no" (half and half; "an orange")
//   colour     "what colour is the circle?"       -> a colour (only for a shape seen once)
//   shape      "what shape is the red object?"    -> a shape (only for a colour seen once)
//   size       "what size is the red circle?"     -> "small" | "large" (a pair seen once)
//   where      "where is the red circle?"         -> a cell name, "top left" .. "bottom right"

import type { Rng } from '../../tensor/rng.js';
import { pick, type Scene, type SceneObject } from './scene.js';
import {
  COLOUR_NAMES,
  PLURALS,
  POSITIONS,
  SHAPES,
  SIZES,
  type ColourName,
  type ShapeName,
} from './vocabulary.js';

export const QUESTION_KINDS = [
  'count',
  'count-shape',
  'count-colour',
  'exists',
  'colour',
  'shape',
  'size',
  'where',
] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export interface QuestionAnswer {
  kind: QuestionKind;
  question: string;
  answer: string;
}

/** Either a present value (a coin flip) or any value, so "0" and "no" are as common as not. */
function presentOrAny<T>(rng: Rng, present: readonly T[], all: readonly T[]): T {
  return rng.random() < 0.5 && present.length > 0 ? pick(rng, present) : pick(rng, all);
}

/** "an" before a vowel ("an orange circle"), else "a". */
function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** The objects that are the only one with their key. */
function unique(objects: SceneObject[], key: (o: SceneObject) => string): SceneObject[] {
  return objects.filter((o) => objects.filter((p) => key(p) === key(o)).length === 1);
}

/**
 * The scene's questions and answers. `askable` limits the (shape, colour) pairs an absent
 * "is there ..." may name (the split's rule), so held-out pairs stay out of training text too.
 */
export function sceneQuestions(
  scene: Scene,
  rng: Rng,
  askable: (shape: ShapeName, colour: ColourName) => boolean = () => true,
): QuestionAnswer[] {
  const objs = scene.objects;
  const qa: QuestionAnswer[] = [];
  const add = (kind: QuestionKind, question: string, answer: string) => qa.push({ kind, question, answer });

  add('count', 'how many objects?', String(objs.length));
  const shape = presentOrAny(
    rng,
    objs.map((o) => o.shape),
    SHAPES,
  );
  add('count-shape', `how many ${PLURALS[shape]}?`, String(objs.filter((o) => o.shape === shape).length));
  const colour = presentOrAny(
    rng,
    objs.map((o) => o.colour),
    COLOUR_NAMES,
  );
  add('count-colour', `how many ${colour} objects?`, String(objs.filter((o) => o.colour === colour).length));

  if (rng.random() < 0.5) {
    const o = pick(rng, objs);
    add('exists', `is there ${article(o.colour)} ${o.colour} ${o.shape}?`, 'yes');
  } else {
    const absent: [ShapeName, ColourName][] = [];
    for (const s of SHAPES)
      for (const c of COLOUR_NAMES)
        if (askable(s, c) && !objs.some((o) => o.shape === s && o.colour === c)) absent.push([s, c]);
    const [s, c] = pick(rng, absent);
    add('exists', `is there ${article(c)} ${c} ${s}?`, 'no');
  }

  const byShape = unique(objs, (o) => o.shape);
  if (byShape.length > 0) {
    const o = pick(rng, byShape);
    add('colour', `what colour is the ${o.shape}?`, o.colour);
  }
  const byColour = unique(objs, (o) => o.colour);
  if (byColour.length > 0) {
    const o = pick(rng, byColour);
    add('shape', `what shape is the ${o.colour} object?`, o.shape);
  }
  const byPair = unique(objs, (o) => `${o.colour} ${o.shape}`);
  if (byPair.length > 0) {
    const o = pick(rng, byPair);
    add('size', `what size is the ${o.colour} ${o.shape}?`, o.size);
    const p = pick(rng, byPair);
    add('where', `where is the ${p.colour} ${p.shape}?`, p.position);
  }
  return qa;
}

/** Every word (and the "?") a question can use, sorted. */
export const QUESTION_WORDS: readonly string[] = [
  ...new Set([
    ...'how many objects is there a an what colour shape size where the object ?'.split(' '),
    ...Object.values(PLURALS),
    ...COLOUR_NAMES,
    ...SHAPES,
  ]),
].sort();

/** Every answer an answer can be, sorted. */
export const ANSWERS: readonly string[] = [
  ...new Set([
    ...['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    'yes',
    'no',
    ...COLOUR_NAMES,
    ...SHAPES,
    ...SIZES,
    ...POSITIONS.flat(),
  ]),
].sort();
