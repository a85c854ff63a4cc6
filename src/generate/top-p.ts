// Nucleus (top-p) sampling (Holtzman et al., 2019, "The Curious Case of Neural Text
// Degeneration"): keep the smallest set of most likely tokens whose probabilities sum to at least
// p, drop the unreliable tail, renormalise. The most likely token is always kept, so p → 0 is greedy.

import type { LogitsProcessor } from './processor.js';
import { softmax } from './probs.js';
import { LlmfsError } from '../errors.js';

export function topP(p: number): LogitsProcessor {
  if (!(p > 0 && p <= 1)) throw new LlmfsError(`top-p must be in (0, 1], got ${p}`);
  return (logits) => {
    if (p >= 1) return;
    const probs = softmax(logits);
    const order = Array.from({ length: logits.length }, (_, i) => i).sort(
      (a, b) => probs[b] - probs[a] || a - b,
    );
    let cumulative = 0;
    let kept = 0;
    while (kept < order.length && (kept === 0 || cumulative < p)) cumulative += probs[order[kept++]];
    for (let r = kept; r < order.length; r++) logits[order[r]] = -Infinity;
  };
}
