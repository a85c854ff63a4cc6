// Exercise cross-entropy (chapter 6, section "GPT: a decoder-only language model").
// Check it with: llmfs exercise check cross-entropy

import { Tensor } from 'llm-from-scratch';

/**
 * The mean cross-entropy of next-token predictions, the GPT's training loss:
 *
 *     loss = (1/M) Σ_{n counted} -log softmax(logits_n)[t_n]
 *     log softmax(z)[v] = z[v] - m - log Σ_u exp(z[u] - m),   m = max_u z[u]   (no overflow)
 *
 * logits is (N, V), targets holds N class ids; a row whose target equals ignoreIndex (-100 by
 * PyTorch's convention, e.g. padding) contributes nothing and is not counted: M is the number of
 * the other rows. Return a scalar (0-d) tensor, built with tensor ops so the loss has gradients.
 *
 * Useful: logits.indexSelect(0, rows), z.max(-1, true), t.exp(), t.sum(-1, true), t.log(),
 * t.gather(1, index (M, 1) Tensor), t.mean(), t.neg().
 */
export function crossEntropy(logits: Tensor, targets: readonly number[], ignoreIndex: number): Tensor {
  const [N, V] = logits.shape; // (N, V)
  // TODO: log-softmax of the counted rows, pick each target's entry, mean, negate.
  throw new Error('not implemented yet');
}
