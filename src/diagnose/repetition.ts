// Measures of repetition in a generated sequence (of token ids, or of characters), the numbers
// `llmfs diagnose generation` reports:
//   distinct-n (Li et al., 2016, "A Diversity-Promoting Objective Function for Neural Conversation
//   Models"): unique n-grams / all n-grams, 1 for text that never repeats an n-gram;
//   the longest repeated n-gram: the longest run of tokens that occurs twice (overlaps allowed);
//   a loop: the sequence ends in a stretch that repeats with period p, x[i] = x[i - p], for at least
//   two whole periods and at least `minTokens` tokens; p is the smallest such period (a loop of
//   period 3 is also periodic with period 6), and the loop starts where the periodicity begins.

import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'detect-loop' (chapter 14): the loop `seq` ends in, as the smallest period p whose
     * periodic stretch at the end (x[i] = x[i - p]) holds at least two whole periods and at least
     * `minTokens` tokens, with where it starts and its whole cycles; null when there is none.
     */
    detectLoop(seq: ArrayLike<unknown>, minTokens?: number): Loop | null;
  }
}

export interface RepeatedNgram {
  /** Its length in tokens (0 when nothing repeats). */
  length: number;
  /** Where it first occurs and where it occurs again. */
  first: number;
  second: number;
}

export interface Loop {
  /** Tokens per cycle. */
  period: number;
  /** Index of the first token of the periodic stretch. */
  start: number;
  /** Whole cycles in the stretch (≥ 2). */
  cycles: number;
}

/** Unique n-grams over all n-grams (1 when there are none). */
export function distinctN(seq: ArrayLike<unknown>, n: number): number {
  const total = seq.length - n + 1;
  if (total <= 0) return 1;
  const seen = new Set<string>();
  for (let i = 0; i < total; i++)
    seen.add(Array.from({ length: n }, (_, k) => String(seq[i + k])).join('\u0000'));
  return seen.size / total;
}

/** The longest run that occurs at two different places (O(N²) over the shifts; N is a generation). */
export function longestRepeatedNgram(seq: ArrayLike<unknown>): RepeatedNgram {
  let best: RepeatedNgram = { length: 0, first: -1, second: -1 };
  const N = seq.length;
  for (let d = 1; d < N; d++) {
    let run = 0;
    for (let i = d; i < N; i++) {
      run = seq[i] === seq[i - d] ? run + 1 : 0;
      if (run > best.length) best = { length: run, first: i - d - run + 1, second: i - run + 1 };
    }
  }
  return best;
}

/** The loop the sequence ends in, or null: smallest period with ≥ 2 cycles and ≥ minTokens tokens. */
export const detectLoop = exercisable('detectLoop', (seq: ArrayLike<unknown>, minTokens = 8): Loop | null => {
  const N = seq.length;
  for (let p = 1; 2 * p <= N; p++) {
    let run = 0; // tokens at the end with x[i] = x[i - p]
    while (run < N - p && seq[N - 1 - run] === seq[N - 1 - run - p]) run++;
    const span = run + p; // the periodic stretch: the run and the period it copies
    if (run >= p && span >= minTokens) return { period: p, start: N - span, cycles: Math.floor(span / p) };
  }
  return null;
});
