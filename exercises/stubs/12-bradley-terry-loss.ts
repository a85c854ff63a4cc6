// Exercise bradley-terry-loss (chapter 12, section "Reward models").
// Check it with: llmfs exercise check bradley-terry-loss

import type { Tensor } from 'llm-from-scratch';

/**
 * A reward model is trained on preference pairs with the Bradley-Terry model: the chosen response
 * wins with probability σ(r_c - r_r), and the loss is minus its log, averaged over the pairs
 * (InstructGPT, eq. 1):
 *
 *     loss = -mean_i log σ(chosen[i] - rejected[i])          a scalar
 *
 * Differences can be as large as ±1000: log σ must not underflow to log 0. Build the loss from
 * tensor ops so that gradients reach both rewards.
 */
export function bradleyTerryLoss(
  chosen: Tensor /* (B) rewards of the chosen responses */,
  rejected: Tensor /* (B) rewards of the rejected responses */,
): Tensor /* () */ {
  // TODO: the mean of -log σ(r_c - r_r).
  throw new Error('not implemented yet');
}
