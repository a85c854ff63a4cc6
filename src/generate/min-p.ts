// Min-p sampling (Nguyen et al., 2024, "Turning Up the Heat: Min-p Sampling for Creative and
// Coherent LLM Outputs"): keep the tokens whose probability is at least p_min · p_max. The cut-off
// scales with the model's confidence: strict when one token dominates, loose when many are plausible.

import type { LogitsProcessor } from './processor.js';
import { softmax } from './probs.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'min-p' (chapter 19): the logits with every token whose probability is below
     * pMin · p_max set to -Infinity (the most likely token is always kept). May edit `logits` in
     * place.
     */
    minPFilter(logits: Float64Array, pMin: number): Float64Array;
  }
}

const minPFilter = exercisable('minPFilter', (logits: Float64Array, pMin: number): Float64Array => {
  if (pMin === 0) return logits;
  const probs = softmax(logits);
  let pMax = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] > pMax) pMax = probs[i];
  const threshold = pMin * pMax;
  for (let i = 0; i < logits.length; i++) if (probs[i] < threshold) logits[i] = -Infinity;
  return logits;
});

export function minP(pMin: number): LogitsProcessor {
  if (!(pMin >= 0 && pMin <= 1)) throw new LlmfsError(`min-p must be in [0, 1], got ${pMin}`);
  return (logits) => {
    const out = minPFilter(logits, pMin);
    if (out !== logits) logits.set(out);
  };
}
