// How a long token sequence is cut into windows the model can see. Each window [begin, end) is
// at most the context size L; it scores tokens scoreFrom..end-1, each predicted from the window's
// tokens before it. Every token after the first is scored at most once.

import { LlmfsError } from '../errors.js';

export interface Window {
  begin: number;
  end: number;
  /** The first token this window scores (>= begin + 1: token `begin` has no prefix in the window). */
  scoreFrom: number;
}

/**
 * Windows of length L advancing by `stride` S (1 <= S <= L). With S = L (the default) they are
 * consecutive and disjoint: each scores its tokens 1..L-1, and the last may be shorter. With S < L
 * they overlap, as in Hugging Face's perplexity recipe: each scores only the tokens after the
 * previous window's end, now with up to L - S tokens of extra context. Then every token 1..n-1 is
 * scored exactly once.
 */
export function evalWindows(n: number, L: number, stride = L): Window[] {
  if (!Number.isInteger(L) || L < 2)
    throw new LlmfsError(`eval: the context size must be an integer >= 2, got ${L}`);
  if (!Number.isInteger(stride) || stride < 1 || stride > L) {
    throw new LlmfsError(`eval: stride must be an integer from 1 to the context size ${L}, got ${stride}`);
  }
  if (!Number.isInteger(n) || n < 2) throw new LlmfsError(`eval: need at least 2 tokens to score, got ${n}`);
  const out: Window[] = [];
  let prevEnd = 0;
  for (let begin = 0; ; begin += stride) {
    const end = Math.min(begin + L, n);
    out.push({ begin, end, scoreFrom: Math.max(prevEnd, begin + 1) });
    prevEnd = end;
    if (end === n) return out;
  }
}

/** Tokens scored in all: sum over windows of end - scoreFrom. */
export function predictedCount(windows: readonly Window[]): number {
  return windows.reduce((s, w) => s + Math.max(0, w.end - w.scoreFrom), 0);
}
