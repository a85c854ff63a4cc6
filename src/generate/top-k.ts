// Top-k sampling (Fan, Lewis & Dauphin, 2018): keep only the k highest-scoring tokens and
// renormalise over them. Tokens tied with the k-th score are kept too (as Hugging Face does), so
// the result never depends on the order of equal logits.

import type { LogitsProcessor } from './processor.js';
import { topIds } from './probs.js';
import { LlmfsError } from '../errors.js';

export function topK(k: number): LogitsProcessor {
  if (!Number.isInteger(k) || k < 1) throw new LlmfsError(`top-k must be a positive integer, got ${k}`);
  return (logits) => {
    if (k >= logits.length) return;
    const kth = logits[topIds(logits, k)[k - 1]];
    for (let i = 0; i < logits.length; i++) if (logits[i] < kth) logits[i] = -Infinity;
  };
}
