// Reference solution of gpt-forward (chapter 6, section "GPT: a decoder-only language model").

import type { GPT, Tensor } from 'llm-from-scratch';

/** Token ids (B, T) -> logits (B, T, V) with the model's modules. */
export function gptForward(model: GPT, idx: Tensor): Tensor {
  const T = idx.shape[1];
  const positions = Array.from({ length: T }, (_, t) => t);
  let x = model.wte.forward(idx).add(model.wpe!.forward(positions)); // (B, T, C) + (T, C)
  x = model.drop.forward(x);
  for (const block of model.h) x = block.forward(x); // (B, T, C)
  x = model.ln_f.forward(x); // (B, T, C)
  // (B, T, V): the head, or the token embedding matrix itself when the weights are tied
  return model.lm_head ? model.lm_head.forward(x) : x.matmul(model.wte.weight.transpose(0, 1));
}
