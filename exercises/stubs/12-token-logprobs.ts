// Exercise token-logprobs (chapter 12, section "Sequence log-probabilities").
// Check it with: llmfs exercise check token-logprobs

import type { Tensor } from 'llm-from-scratch';

/**
 * Every alignment method scores a response by its log-probability under the model. From one forward
 * pass of a right-padded batch (prompt + response), the log-probability of each next-token target:
 *
 *     out[b, t] = log softmax(logits[b, t, :])[targets[b, t]] · mask[b, t]
 *
 * The mask is 1 on response tokens and 0 on the prompt and the padding. Logits can be as large as
 * ±1000: compute the log-softmax stably. Build the result from tensor ops so that gradients reach
 * the logits.
 */
export function tokenLogProbs(
  logits: Tensor /* (B, T, V) */,
  targets: Tensor /* (B, T), token ids */,
  mask: Tensor /* (B, T), 0 or 1 */,
): Tensor /* (B, T) */ {
  // TODO: the log-softmax over the vocabulary, the target's entry, times the mask.
  throw new Error('not implemented yet');
}
