// No repeated n-grams (Paulus et al., 2018, "A Deep Reinforced Model for Abstractive
// Summarization", section 2.5, trigram blocking; Hugging Face's `no_repeat_ngram_size`): a token is
// banned if choosing it would complete an n-gram that already occurs in the tokens so far (prompt
// and output alike). With the last n - 1 tokens as the prefix p, every token t such that p·t
// appeared before gets -Infinity. Nothing is banned until there are n - 1 tokens.

import type { LogitsProcessor } from './processor.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'no-repeat-ngram' (chapter 14): the tokens that, coming next after `tokens`, would
     * complete an n-gram that already occurs in `tokens` (Hugging Face's no_repeat_ngram_size).
     */
    bannedNgramTokens(tokens: readonly number[], n: number): Set<number>;
  }
}

/** The tokens that would repeat an n-gram of `tokens` if they came next. */
export const bannedNgramTokens = exercisable('bannedNgramTokens', (tokens: readonly number[], n: number) => {
  const banned = new Set<number>();
  const L = tokens.length;
  if (L < n - 1) return banned;
  // The prefix the next token would complete: tokens[L-n+1 .. L-1] (empty when n = 1).
  for (let s = 0; s + n <= L; s++) {
    let same = true;
    for (let k = 0; k < n - 1 && same; k++) same = tokens[s + k] === tokens[L - n + 1 + k];
    if (same) banned.add(tokens[s + n - 1]);
  }
  return banned;
});

export function noRepeatNgram(n: number): LogitsProcessor {
  if (!(Number.isInteger(n) && n >= 1))
    throw new LlmfsError(`no-repeat n-gram size must be a whole number >= 1, got ${n}`);
  return (logits, ctx) => {
    for (const id of bannedNgramTokens(ctx.tokens, n))
      if (id >= 0 && id < logits.length) logits[id] = -Infinity;
  };
}
