// Reference solution of token-logprobs (chapter 12, section "Sequence log-probabilities").

import { Tensor } from 'llm-from-scratch';

/** log softmax(logits)[target] · mask, with log-softmax = x - max - log Σ exp(x - max). */
export function tokenLogProbs(logits: Tensor, targets: Tensor, mask: Tensor): Tensor {
  const [B, T] = targets.shape;
  const shifted = logits.sub(logits.max(-1, true).detach()); // (B, T, V), every entry ≤ 0
  const logp = shifted.sub(shifted.exp().sum(-1, true).log()); // (B, T, V) log-softmax
  const picked = logp.gather(2, targets.reshape(B, T, 1)).reshape(B, T); // (B, T)
  return picked.mul(mask); // the prompt and the padding count 0
}
