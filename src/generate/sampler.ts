// Choosing the next token from processed logits: greedy takes the argmax; sampling draws from the
// categorical distribution softmax(z) by inverse transform (one uniform u from the seeded Rng,
// the first id whose cumulative probability exceeds u), so a seed reproduces a run exactly.

import type { Rng } from '../tensor/rng.js';
import { argmax, softmax } from './probs.js';

export type Strategy = 'greedy' | 'sample';

/** The id i with P(i) = probs[i], drawn with one uniform number from `rng`. */
export function sampleIndex(probs: ArrayLike<number>, rng: Rng): number {
  const u = rng.random();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] <= 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u landed in the rounding gap above the final cumulative sum
}

/** The next token under `strategy` from processed logits z (length V). */
export function chooseToken(z: ArrayLike<number>, strategy: Strategy, rng: Rng): number {
  return strategy === 'greedy' ? argmax(z) : sampleIndex(softmax(z), rng);
}
