// Exercise conv1d-to-linear (chapter 9, section "From their names to ours").
// Check it with: llmfs exercise check conv1d-to-linear

import type { Tensor } from 'llm-from-scratch';

/**
 * GPT-2's linear layers are Hugging Face `Conv1D`s: y = x W + b with W stored (in, out). Our
 * `Linear` (like torch.nn.Linear) computes y = x Wᵀ + b with W stored (out, in). Loading a
 * checkpoint converts each of c_attn, attn.c_proj, c_fc and mlp.c_proj:
 *
 *     result[j, i] = weight[i, j]        weight (in, out)  ->  result (out, in)
 *
 * Return a new tensor (the library copies its numbers into the model's Linear weight).
 */
export function conv1dToLinear(weight: Tensor /* (in, out) */): Tensor /* (out, in) */ {
  // TODO: the transpose of weight.
  throw new Error('not implemented yet');
}
