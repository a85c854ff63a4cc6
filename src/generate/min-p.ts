// Min-p sampling (Nguyen et al., 2024, "Turning Up the Heat: Min-p Sampling for Creative and
// Coherent LLM Outputs"): keep the tokens whose probability is at least p_min · p_max. The cut-off
// scales with the model's confidence: strict when one token dominates, loose when many are plausible.

import type { LogitsProcessor } from './processor.js';
import { softmax } from './probs.js';
import { LlmfsError } from '../errors.js';

export function minP(pMin: number): LogitsProcessor {
  if (!(pMin >= 0 && pMin <= 1)) throw new LlmfsError(`min-p must be in [0, 1], got ${pMin}`);
  return (logits) => {
    if (pMin === 0) return;
    const probs = softmax(logits);
    let pMax = 0;
    for (let i = 0; i < probs.length; i++) if (probs[i] > pMax) pMax = probs[i];
    const threshold = pMin * pMax;
    for (let i = 0; i < logits.length; i++) if (probs[i] < threshold) logits[i] = -Infinity;
  };
}
