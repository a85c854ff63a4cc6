// Exercise group-advantages (chapter 12, section "GRPO").
// Check it with: llmfs exercise check group-advantages

/**
 * GRPO (Shao et al., 2024) has no value network: it samples G responses to one prompt and judges
 * each against the others. A response's advantage is its reward's distance from the group mean,
 * in units of the group's (sample) standard deviation:
 *
 *     A_i = (r_i - mean(r)) / (std(r) + 1e-4)       std = √(Σ (r_i - mean)² / (G - 1))
 *
 * A group of one response, or of equal rewards, prefers nothing: every advantage is 0 (not NaN).
 * Return a new array; leave `rewards` as it is.
 */
export function groupAdvantages(rewards: readonly number[] /* G */): number[] /* G */ {
  // TODO: centre the rewards on their mean, divide by the sample std + 1e-4.
  throw new Error('not implemented yet');
}
