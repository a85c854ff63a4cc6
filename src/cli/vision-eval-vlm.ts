// `llmfs vision eval --model DIR` for a vision-language checkpoint: the model captions (or answers
// the questions of) generated scenes of one split, drawn as it was trained (its image size and
// objects per scene), and is scored by the library (vision/vlm/evaluate.ts): caption exact match
// and attribute accuracy (size, colour, shape, position, each object found by its cell), VQA exact
// match overall and per question kind. A caption model is scored on captions, a VQA model on
// questions, a mixed one on both (--task chooses). Greedy decoding, or beam search with --beams K.

import { LlmfsError } from '../errors.js';
import { loadVlm } from '../io/vlm-checkpoint.js';
import type { Split } from '../vision/scenes/splits.js';
import type { WordTokenizer } from '../vision/text/word-tokenizer.js';
import {
  evaluateCaptions,
  evaluateVqa,
  type CaptionMetrics,
  type VisionLanguageModel,
  type VlmEvalOptions,
  type VqaMetrics,
} from '../vision/vlm/index.js';

export interface VlmScores {
  caption?: CaptionMetrics;
  vqa?: VqaMetrics;
}

/** Scores `model` on what `task` trains: captions, questions, or both ('mixed'). */
export function evaluateVlm(
  model: VisionLanguageModel,
  tok: WordTokenizer,
  task: string,
  o: VlmEvalOptions,
): VlmScores {
  const out: VlmScores = {};
  if (task === 'caption' || task === 'mixed') out.caption = evaluateCaptions(model, tok, o);
  if (task === 'vqa' || task === 'mixed') out.vqa = evaluateVqa(model, tok, o);
  return out;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** "captions: exact 12.0%, size 90.0%, ...; VQA 61.0%" */
export function vlmScoreLine(s: VlmScores): string {
  const parts: string[] = [];
  if (s.caption) {
    const a = Object.entries(s.caption.attributeAccuracy).map(([k, v]) => `${k} ${pct(v)}`);
    parts.push(`captions exact ${pct(s.caption.exactMatch)}, ${a.join(', ')}`);
  }
  if (s.vqa) parts.push(`VQA ${pct(s.vqa.accuracy)} of ${s.vqa.questions} questions`);
  return parts.join('; ');
}

export interface VlmEvalFlags {
  model: string;
  split: Split;
  start: number;
  count: number;
  beams: number;
  task?: string;
  json: boolean;
}

export function runVlmEval(f: VlmEvalFlags): number {
  const m = loadVlm(f.model, 'vision eval');
  const trained = typeof m.training.task === 'string' ? m.training.task : 'caption';
  const task = f.task ?? trained;
  if (!['caption', 'vqa', 'mixed'].includes(task))
    throw new LlmfsError(`vision eval: --task must be caption, vqa or mixed for a vision-language model`);
  if (!Number.isInteger(f.beams) || f.beams < 1) throw new LlmfsError('vision eval: --beams must be >= 1');
  const t0 = performance.now();
  const s = evaluateVlm(m.model, m.tokenizer, task, {
    split: f.split,
    start: f.start,
    count: f.count,
    scenes: { size: m.image.size, ...m.scenes },
    ...(f.beams > 1 ? { strategy: 'beam' as const, beams: f.beams } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const kind = m.model.config.kind;
  if (f.json) {
    const { model: _m, json: _j, ...rest } = f;
    console.log(JSON.stringify({ model: m.dir, kind, ...rest, task, ...s, seconds }));
    return 0;
  }
  const last = f.start + f.count - 1;
  console.log(
    `${m.dir} (${kind} VLM) on ${f.count} ${f.split} scenes (${f.start}..${last}), ${seconds.toFixed(1)}s:`,
  );
  if (s.caption) {
    console.log(
      `  captions  exact match ${pct(s.caption.exactMatch)}, right count ${pct(s.caption.countAccuracy)}`,
    );
    for (const [k, v] of Object.entries(s.caption.attributeAccuracy))
      console.log(`    ${k.padEnd(9)} ${pct(v)}`);
    for (const x of s.caption.samples.slice(0, 3))
      console.log(`    e.g. true: ${x.caption}\n         said: ${x.generated}`);
  }
  if (s.vqa) {
    console.log(`  VQA       ${pct(s.vqa.accuracy)} of ${s.vqa.questions} questions`);
    for (const [k, v] of Object.entries(s.vqa.perKind))
      console.log(`    ${k.padEnd(9)} ${pct(v.accuracy)} of ${v.questions}`);
  }
  return 0;
}
