// Reference solution of group-advantages (chapter 12, section "GRPO").

/** (r - mean) / (sample std + 1e-4); zeros for G < 2 or equal rewards. */
export function groupAdvantages(rewards: readonly number[]): number[] {
  const G = rewards.length;
  if (G < 2) return rewards.map(() => 0); // no other response to compare with
  const mean = rewards.reduce((a, r) => a + r, 0) / G;
  const variance = rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / (G - 1); // sample: ÷ (G - 1)
  const std = Math.sqrt(variance);
  return rewards.map((r) => (std === 0 ? 0 : (r - mean) / (std + 1e-4)));
}
