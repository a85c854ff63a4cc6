// Exercise dpo-loss (chapter 12, section "DPO").
// Check it with: llmfs exercise check dpo-loss

import type { Tensor } from 'llm-from-scratch';

/**
 * Direct Preference Optimization (Rafailov et al., 2023): β · log(π / π_ref) is an implicit reward,
 * and the chosen response should beat the rejected one. With the summed log-probabilities of each
 * pair's two responses under the policy (π) and the frozen reference (ref):
 *
 *     z_i = β · ((π_c[i] - ref_c[i]) - (π_r[i] - ref_r[i]))
 *     loss = -mean_i log σ(z_i)                              a scalar
 *
 * Margins can be as large as ±1000: log σ(z) must not underflow to log 0. Build the loss from
 * tensor ops so that gradients reach policyChosen and policyRejected.
 */
export function dpoLoss(
  policyChosen: Tensor /* (B) */,
  policyRejected: Tensor /* (B) */,
  refChosen: Tensor /* (B) */,
  refRejected: Tensor /* (B) */,
  beta: number,
): Tensor /* () */ {
  // TODO: the margins z, then the mean of -log σ(z).
  throw new Error('not implemented yet');
}
