// Choosing the next token from processed logits: greedy takes the argmax; sampling draws from the
// categorical distribution softmax(z) by inverse transform (one uniform u from the seeded Rng,
// the first id whose cumulative probability exceeds u), so a seed reproduces a run exactly.

import type { Rng } from '../tensor/rng.js';
import { argmax, softmax } from './probs.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'greedy' (chapter 8): the index of the largest logit, the first one on ties. */
    greedy(logits: Float64Array): number;
  }
}

const greedy = exercisable('greedy', (logits: Float64Array): number => argmax(logits));

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
  if (strategy === 'greedy') return greedy(z instanceof Float64Array ? z : Float64Array.from(z));
  return sampleIndex(softmax(z), rng);
}
