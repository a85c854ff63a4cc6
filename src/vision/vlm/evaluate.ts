// Scoring a vision-language model on held-out scenes (the test split, or the unseen split of
// held-out shape/colour pairs). Captions: exact match, and per-attribute accuracy: the generated
// caption is parsed back with the grammar (scenes/caption-parse.ts), and each of the scene's
// objects is looked up among the phrases by its cell (the cells are distinct). Position counts as
// right when some phrase names the object's cell, size, colour and shape when that phrase states
// them rightly; an object no phrase places scores 0 on all four. Matching by cell rather than by
// phrase index keeps one missed object from shifting every later one. VQA: exact match per kind.

import { LlmfsError } from '../../errors.js';
import { imageToTensor } from '../to-tensor.js';
import { sceneExample } from '../scenes/dataset.js';
import type { SceneOptions } from '../scenes/scene.js';
import type { Split } from '../scenes/splits.js';
import { CAPTION_ATTRIBUTES, parseCaption, type CaptionAttribute } from '../scenes/caption-parse.js';
import { QUESTION_KINDS, type QuestionKind } from '../scenes/questions.js';
import type { WordTokenizer } from '../text/word-tokenizer.js';
import type { VisionLanguageModel, VlmGenerateOptions } from './types.js';
import { promptIds, splitAnswer } from './sequences.js';
import { vlmGenerate } from './generate.js';

export interface VlmEvalOptions extends Pick<VlmGenerateOptions, 'strategy' | 'beams'> {
  split: Split;
  /** Scenes scored: indices start..start+count-1 of the split (defaults 0 and 100). */
  count?: number;
  start?: number;
  scenes?: SceneOptions;
}

export interface CaptionScore {
  exact: boolean;
  /** Objects in the scene; right per attribute (matched by cell); right number of phrases. */
  objects: number;
  correct: Record<CaptionAttribute, number>;
  countRight: boolean;
}

/** One generated caption against the true one. */
export function scoreCaption(truth: string, generated: string): CaptionScore {
  const want = parseCaption(truth);
  const got = parseCaption(generated);
  const correct = { size: 0, colour: 0, shape: 0, position: 0 };
  for (const w of want) {
    const g = w && got.find((p) => p?.position === w.position);
    if (!w || !g) continue;
    for (const a of CAPTION_ATTRIBUTES) if (w[a] === g[a]) correct[a]++;
  }
  return {
    exact: truth === generated,
    objects: want.length,
    correct,
    countRight: want.length === got.length,
  };
}

export interface CaptionMetrics {
  scenes: number;
  exactMatch: number;
  /** Fraction of objects whose attribute the caption states rightly, per attribute. */
  attributeAccuracy: Record<CaptionAttribute, number>;
  /** Fraction of captions with as many phrases as the scene has objects. */
  countAccuracy: number;
  /** A few (truth, generated) pairs to read. */
  samples: { caption: string; generated: string }[];
}

function range(o: VlmEvalOptions): number[] {
  const count = o.count ?? 100;
  const start = o.start ?? 0;
  if (!Number.isInteger(count) || count < 1)
    throw new LlmfsError(`vlm eval: count must be a positive integer`);
  return Array.from({ length: count }, (_, i) => start + i);
}

export function evaluateCaptions(
  model: VisionLanguageModel,
  tok: WordTokenizer,
  o: VlmEvalOptions,
): CaptionMetrics {
  const gen = { strategy: o.strategy, beams: o.beams, eosId: tok.eosId };
  let exact = 0;
  let objects = 0;
  let counts = 0;
  const right = { size: 0, colour: 0, shape: 0, position: 0 };
  const samples: CaptionMetrics['samples'] = [];
  const indices = range(o);
  for (const i of indices) {
    const ex = sceneExample(o.split, i, o.scenes);
    const generated = tok.decode(vlmGenerate(model, imageToTensor(ex.image), promptIds(tok), gen));
    const s = scoreCaption(ex.record.caption, generated);
    exact += s.exact ? 1 : 0;
    counts += s.countRight ? 1 : 0;
    objects += s.objects;
    for (const a of CAPTION_ATTRIBUTES) right[a] += s.correct[a];
    if (samples.length < 5) samples.push({ caption: ex.record.caption, generated });
  }
  const n = indices.length;
  const attributeAccuracy = { size: 0, colour: 0, shape: 0, position: 0 };
  for (const a of CAPTION_ATTRIBUTES) attributeAccuracy[a] = right[a] / objects;
  return { scenes: n, exactMatch: exact / n, attributeAccuracy, countAccuracy: counts / n, samples };
}

export interface VqaMetrics {
  questions: number;
  accuracy: number;
  /** Exact-match accuracy and the number of questions, per question kind. */
  perKind: Partial<Record<QuestionKind, { accuracy: number; questions: number }>>;
}

/** Every question of every scene, answered greedily (or by beam), scored by exact match. */
export function evaluateVqa(model: VisionLanguageModel, tok: WordTokenizer, o: VlmEvalOptions): VqaMetrics {
  const gen = { strategy: o.strategy, beams: o.beams, eosId: tok.eosId };
  const tally = new Map<QuestionKind, { right: number; n: number }>();
  let right = 0;
  let n = 0;
  for (const i of range(o)) {
    const ex = sceneExample(o.split, i, o.scenes);
    const image = imageToTensor(ex.image);
    for (const qa of ex.record.questions) {
      const { answer } = splitAnswer(tok, vlmGenerate(model, image, promptIds(tok, qa.question), gen));
      const t = tally.get(qa.kind) ?? { right: 0, n: 0 };
      const ok = answer === qa.answer ? 1 : 0;
      t.right += ok;
      t.n++;
      tally.set(qa.kind, t);
      right += ok;
      n++;
    }
  }
  const perKind: VqaMetrics['perKind'] = {};
  for (const k of QUESTION_KINDS) {
    const t = tally.get(k);
    if (t) perKind[k] = { accuracy: t.right / t.n, questions: t.n };
  }
  return { questions: n, accuracy: right / n, perKind };
}
