// Log-probabilities of a response given its prompt: the quantity every alignment method of this
// folder works with (DPO's implicit reward, the reward model's data, GRPO's ratio and KL). For a
// sequence of prompt p and response y_1..y_n,
//   log π(y | p) = Σ_t log π(y_t | p, y_<t)            (summed: DPO, Rafailov et al., 2023, eq. 7)
//   (1/n) Σ_t log π(y_t | p, y_<t)                     (the mean: length-normalised, as SimPO)
// computed from one forward pass of the right-padded batch: log-softmax over the vocabulary, the
// entry of each next-token target picked out (a gather), and prompt and padding masked to 0.

import { Tensor } from '../../tensor/tensor.js';
import { logSoftmax } from '../../tensor/ops/softmax.js';
import { gather } from '../../tensor/ops/indexing.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';
import type { GPT } from '../../model/gpt.js';
import type { Batch } from '../data.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'token-logprobs' (chapter 12): logits (B, T, V), next-token targets (B, T) and a
     * 0/1 mask (B, T) -> log p(target) at every kept position, 0 where the mask is 0, as (B, T).
     */
    tokenLogProbs(logits: Tensor, targets: Tensor, mask: Tensor): Tensor;
  }
}

/** logits (B, T, V), targets (B, T), mask (B, T) -> log softmax(logits)[b, t, y[b, t]] · mask (B, T). */
export const tokenLogProbs = exercisable('tokenLogProbs', (logits, targets, mask) => {
  const [B, T] = targets.shape;
  const logp = logSoftmax(logits, -1); // (B, T, V)
  const picked = gather(logp, 2, targets.reshape(B, T, 1)).reshape(B, T); // (B, T)
  return picked.mul(mask); // prompt and padding contribute 0
});

export interface SequenceLogProbs {
  /** Σ_t log π(y_t | ...) over each row's response tokens: (B), on the graph. */
  sum: Tensor;
  /** sum / count: the mean log-probability per response token, (B), on the graph. */
  mean: Tensor;
  /** Response tokens per row (the mask's row sums). */
  counts: number[];
  /** Per-token log-probabilities (B, T), 0 at masked positions (GRPO's ratio is per token). */
  tokens: Tensor;
}

/** Response tokens per row of a (B, T) 0/1 mask; a row without any is an error. */
export function maskCounts(mask: Tensor, what = 'sequence log-probabilities'): number[] {
  const [B, T] = mask.shape;
  return Array.from({ length: B }, (_, b) => {
    let n = 0;
    for (let t = 0; t < T; t++) n += mask.data[b * T + t];
    if (n === 0) throw new LlmfsError(`${what}: row ${b} has no response tokens (an empty response?)`);
    return n;
  });
}

/**
 * log π(response | prompt) of each row of a batch made by instructBatch / pairBatch: x (B, T),
 * y (B, T) and a mask that is 1 on response targets. `model` in train mode applies dropout.
 */
export function sequenceLogProbs(model: GPT, b: Batch): SequenceLogProbs {
  if (!b.mask) throw new LlmfsError('sequence log-probabilities: the batch has no response mask');
  const counts = maskCounts(b.mask);
  const logits = model.forward(b.x).logits; // (B, T, V)
  const tokens = tokenLogProbs(logits, b.y, b.mask); // (B, T)
  const sum = tokens.sum(-1); // (B)
  const inv = new Tensor(
    Float32Array.from(counts, (n) => 1 / n),
    [counts.length],
  );
  return { sum, mean: sum.mul(inv), counts, tokens };
}
