// Reference solution of no-repeat-ngram (chapter 14, section "Blocking repeated n-grams").

/** Every token that followed an earlier occurrence of the last n - 1 tokens. */
export function bannedNgramTokens(tokens: readonly number[], n: number): Set<number> {
  const banned = new Set<number>();
  const L = tokens.length;
  if (L < n - 1) return banned;
  for (let s = 0; s + n <= L; s++) {
    let same = true;
    for (let k = 0; k < n - 1 && same; k++) same = tokens[s + k] === tokens[L - n + 1 + k];
    if (same) banned.add(tokens[s + n - 1]);
  }
  return banned;
}
