// The unigram entropy of a token sequence: H = -Σ_v f_v log f_v (nats), with f_v the frequency of
// token v. It is the cross-entropy of the best model that ignores context (one that always
// predicts the token frequencies), so a language model whose validation loss goes below it has
// learned something from the context (Shannon, 1951, "Prediction and Entropy of Printed English").

import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'unigram-entropy' (chapter 19): the entropy in nats of the frequencies of the ids
     * (each in [0, V)); 0 for an empty or one-token sequence.
     */
    unigramEntropy(ids: ArrayLike<number>, V: number): number;
  }
}

/** The entropy in nats of the token frequencies: the loss floor of a model that ignores context. */
export const unigramEntropy = exercisable('unigramEntropy', (ids: ArrayLike<number>, V: number): number => {
  const n = ids.length;
  if (n === 0) return 0;
  const counts = new Float64Array(V);
  for (let i = 0; i < n; i++) counts[ids[i]]++;
  let h = 0;
  for (let v = 0; v < V; v++) {
    if (counts[v] === 0) continue; // 0 · log 0 = 0
    const f = counts[v] / n;
    h -= f * Math.log(f);
  }
  return h;
});
