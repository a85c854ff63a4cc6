// Length penalties for beam search. Log-probabilities only fall as an output Y grows, so ranking
// by log P(Y) prefers short outputs; dividing by a penalty that grows with |Y| undoes that.
//   Hugging Face (length_penalty = α, default 1):  s(Y) = log P(Y) / |Y|^α
//   GNMT (Wu et al., 2016, section 7):             s(Y) = log P(Y) / ((5 + |Y|) / (5 + 1))^α
// α = 0 ranks by log P alone in both; α > 0 favours longer outputs, α < 0 shorter ones.
// |Y| counts generated tokens, the end-of-text token included when it ended the output.

export type LengthPenaltyFormula = 'hf' | 'gnmt';

/** Hugging Face's |Y|^α. */
export function hfLengthPenalty(length: number, alpha: number): number {
  return Math.pow(length, alpha);
}

/** GNMT's lp(Y) = ((5 + |Y|) / 6)^α. */
export function gnmtLengthPenalty(length: number, alpha: number): number {
  return Math.pow((5 + length) / 6, alpha);
}

/** The beam-search score of a hypothesis with total log-probability `logprob` and `length` tokens. */
export function lengthNormalisedScore(
  logprob: number,
  length: number,
  alpha: number,
  formula: LengthPenaltyFormula = 'hf',
): number {
  const lp = formula === 'gnmt' ? gnmtLengthPenalty(length, alpha) : hfLengthPenalty(length, alpha);
  return logprob / lp;
}
