// Nucleus (top-p) sampling (Holtzman et al., 2019, "The Curious Case of Neural Text
// Degeneration"): keep the smallest set of most likely tokens whose probabilities sum to at least
// p, drop the unreliable tail, renormalise. The most likely token is always kept, so p → 0 is greedy.

import type { LogitsProcessor } from './processor.js';
import { softmax } from './probs.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'top-p' (chapter 8): the logits with every token outside the nucleus set to
     * -Infinity. The nucleus: the most likely tokens, in order (lower id first on ties), up to
     * and including the one whose cumulative probability reaches p; never empty. May edit
     * `logits` in place.
     */
    topPFilter(logits: Float64Array, p: number): Float64Array;
  }
}

const topPFilter = exercisable('topPFilter', (logits: Float64Array, p: number): Float64Array => {
  if (p >= 1) return logits;
  const probs = softmax(logits);
  const order = Array.from({ length: logits.length }, (_, i) => i).sort(
    (a, b) => probs[b] - probs[a] || a - b,
  );
  let cumulative = 0;
  let kept = 0;
  while (kept < order.length && (kept === 0 || cumulative < p)) cumulative += probs[order[kept++]];
  for (let r = kept; r < order.length; r++) logits[order[r]] = -Infinity;
  return logits;
});

export function topP(p: number): LogitsProcessor {
  if (!(p > 0 && p <= 1)) throw new LlmfsError(`top-p must be in (0, 1], got ${p}`);
  return (logits) => {
    const out = topPFilter(logits, p);
    if (out !== logits) logits.set(out);
  };
}
