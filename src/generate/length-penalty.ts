// The length penalty of Wu et al., 2016 (GNMT, section 7): a hypothesis Y is scored by
//   s(Y) = log P(Y) / lp(Y),   lp(Y) = (5 + |Y|)^α / (5 + 1)^α
// Log-probabilities only fall as Y grows, so raw beam search prefers short outputs; α > 0 undoes
// that (α = 0: no penalty). Hugging Face uses log P / |Y|^α instead; the two rank alike for α = 0.

export function gnmtLengthPenalty(length: number, alpha: number): number {
  return Math.pow((5 + length) / 6, alpha);
}

/** The beam-search score of a hypothesis with total log-probability `logprob` and `length` tokens. */
export function lengthNormalisedScore(logprob: number, length: number, alpha: number): number {
  return logprob / gnmtLengthPenalty(length, alpha);
}
