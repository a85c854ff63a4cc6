// Diagnosing a generation that repeats itself: generate with the given settings, measure the
// output (distinct-n, the longest repeated n-gram, the loop it ends in: repetition.ts), look at the
// model's own distribution where the loop began (entropy, top alternatives), then try the standard
// remedies on the same prompt and measure each the same way. The recommendation is the mildest
// remedy that breaks the loop, "mildest" measured, not assumed: the one whose output the model
// itself finds most likely (the highest mean log p per token under the raw distribution), i.e.
// the least departure from what the model wanted to say.

import type { GPT } from '../model/gpt.js';
import { generate, type GenerateOptions, type GeneratedToken } from '../generate/generate.js';
import { detectLoop, distinctN, longestRepeatedNgram, type Loop, type RepeatedNgram } from './repetition.js';
import { loopAttention, type LoopAttention } from './loop-attention.js';

export interface RepetitionReport {
  tokens: number;
  /** distinct-1, distinct-2, distinct-3. */
  distinct: [number, number, number];
  longestRepeat: RepeatedNgram;
  loop: Loop | null;
  /** Mean entropy (nats) of the model's raw next-token distribution over the output. */
  meanEntropy: number;
  /** Mean log p of the chosen tokens under the raw distribution (higher: closer to the model). */
  meanLogprob: number;
}

export function repetitionReport(ids: readonly number[], steps: readonly GeneratedToken[]): RepetitionReport {
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    tokens: ids.length,
    distinct: [distinctN(ids, 1), distinctN(ids, 2), distinctN(ids, 3)],
    longestRepeat: longestRepeatedNgram(ids),
    loop: detectLoop(ids),
    meanEntropy: mean(steps.map((t) => t.entropy)),
    meanLogprob: mean(steps.map((t) => t.logprob)),
  };
}

export interface Remedy {
  name: string;
  /** Settings laid over the user's (sampling remedies switch the strategy to sample). */
  options: Partial<GenerateOptions>;
}

/** The standard remedies, each at a usual strength. */
export const REMEDIES: readonly Remedy[] = [
  { name: 'no_repeat_ngram_size 4', options: { noRepeatNgramSize: 4 } },
  { name: 'no_repeat_ngram_size 3', options: { noRepeatNgramSize: 3 } },
  { name: 'repetition penalty 1.2', options: { repetitionPenalty: 1.2 } },
  { name: 'repetition penalty 1.5', options: { repetitionPenalty: 1.5 } },
  { name: 'frequency penalty 0.5', options: { frequencyPenalty: 0.5 } },
  { name: 'sample, temperature 0.8', options: { strategy: 'sample', temperature: 0.8 } },
  {
    name: 'sample, top-p 0.9, temperature 0.8',
    options: { strategy: 'sample', topP: 0.9, temperature: 0.8 },
  },
  { name: 'sample, min-p 0.1', options: { strategy: 'sample', minP: 0.1 } },
];

export interface RemedyRow {
  name: string;
  options: Partial<GenerateOptions>;
  ids: number[];
  text: string;
  report: RepetitionReport;
}

export interface LoopStart {
  /** Index of the generated token where the loop began. */
  index: number;
  id: number;
  entropy: number;
  alternatives: { id: number; prob: number }[];
}

export interface GenerationDiagnosis {
  ids: number[];
  text: string;
  report: RepetitionReport;
  /** Entropy (nats) of the model's raw distribution at each generated token. */
  entropies: number[];
  /** How the model attends to the previous cycles inside the loop (null without a loop). */
  loopAttention: LoopAttention | null;
  /**
   * Per whole cycle of the loop, the geometric-mean probability of the tokens chosen (exp of the
   * mean log p): flat or rising = the loop reinforces itself ([] without a loop).
   */
  cycleProbs: number[];
  /** The model's distribution at the loop's first token, when there is a loop. */
  loopStart: LoopStart | null;
  remedies: RemedyRow[];
  /** The mildest remedy whose output has no loop (null: no loop, or none breaks it). */
  recommended: string | null;
}

/** exp(mean log p) of the chosen tokens over each whole cycle of `loop`. */
export function cycleProbs(steps: readonly GeneratedToken[], loop: Loop): number[] {
  const out: number[] = [];
  for (let k = 0; loop.start + (k + 1) * loop.period <= steps.length; k++) {
    const seg = steps.slice(loop.start + k * loop.period, loop.start + (k + 1) * loop.period);
    out.push(Math.exp(seg.reduce((a, t) => a + t.logprob, 0) / seg.length));
  }
  return out;
}

export interface DiagnoseOptions extends GenerateOptions {
  /** Remedies to try (default REMEDIES). */
  remedies?: readonly Remedy[];
}

export function diagnoseGeneration(
  model: GPT,
  prompt: readonly number[],
  o: DiagnoseOptions = {},
): GenerationDiagnosis {
  const { remedies = REMEDIES, ...settings } = o;
  const run = (extra: Partial<GenerateOptions>) => {
    const r = generate(model, prompt, { ...settings, ...extra, topAlternatives: 5, onToken: undefined });
    return { ids: r.ids, text: r.text, report: repetitionReport(r.ids, r.tokens), steps: r.tokens };
  };
  const base = run({});
  const loop = base.report.loop;
  const first = loop ? base.steps[loop.start] : undefined;
  const loopStart: LoopStart | null = first
    ? { index: first.index, id: first.id, entropy: first.entropy, alternatives: first.alternatives }
    : null;
  const rows: RemedyRow[] = remedies.map((m) => {
    const r = run(m.options);
    return { name: m.name, options: m.options, ids: r.ids, text: r.text, report: r.report };
  });
  let recommended: string | null = null;
  if (loop) {
    const fixes = rows.filter((r) => r.report.loop === null);
    fixes.sort((a, b) => b.report.meanLogprob - a.report.meanLogprob);
    recommended = fixes[0]?.name ?? null;
  }
  const att = loop
    ? loopAttention(model, [...prompt, ...base.ids], prompt.length + loop.start, loop.period)
    : null;
  return {
    ids: base.ids,
    text: base.text,
    report: base.report,
    entropies: base.steps.map((t) => t.entropy),
    loopAttention: att,
    cycleProbs: loop ? cycleProbs(base.steps, loop) : [],
    loopStart,
    remedies: rows,
    recommended,
  };
}
