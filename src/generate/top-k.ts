// Top-k sampling (Fan, Lewis & Dauphin, 2018): keep only the k highest-scoring tokens and
// renormalise over them. Tokens tied with the k-th score are kept too (as Hugging Face does), so
// the result never depends on the order of equal logits.

import type { LogitsProcessor } from './processor.js';
import { topIds } from './probs.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'top-k' (chapter 8): the logits with every token scoring below the k-th largest
     * set to -Infinity (ties with the k-th kept). May edit `logits` in place.
     */
    topKFilter(logits: Float64Array, k: number): Float64Array;
  }
}

const topKFilter = exercisable('topKFilter', (logits: Float64Array, k: number): Float64Array => {
  if (k >= logits.length) return logits;
  const kth = logits[topIds(logits, k)[k - 1]];
  for (let i = 0; i < logits.length; i++) if (logits[i] < kth) logits[i] = -Infinity;
  return logits;
});

export function topK(k: number): LogitsProcessor {
  if (!Number.isInteger(k) || k < 1) throw new LlmfsError(`top-k must be a positive integer, got ${k}`);
  return (logits) => {
    const out = topKFilter(logits, k);
    if (out !== logits) logits.set(out);
  };
}
