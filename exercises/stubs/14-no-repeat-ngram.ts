// Exercise no-repeat-ngram (chapter 14, section "Blocking repeated n-grams").
// Check it with: llmfs exercise check no-repeat-ngram

/**
 * Hugging Face's no_repeat_ngram_size: the tokens that, coming next after `tokens`, would complete
 * an n-gram that already occurs in `tokens`. The n-gram's first n - 1 tokens are the last n - 1 of
 * `tokens`; ban the token that followed each earlier occurrence of them. With n = 1 every token
 * seen is banned; with fewer than n - 1 tokens, none is.
 */
export function bannedNgramTokens(tokens: readonly number[], n: number): Set<number> {
  // TODO: compare every earlier (n - 1)-gram with the last n - 1 tokens.
  throw new Error('not implemented yet');
}
