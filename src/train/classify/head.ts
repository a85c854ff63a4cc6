// A classifier on a GPT (Radford et al., 2018, section 3.3; rasbt's LLMs-from-scratch ch. 6): the
// final hidden state of the LAST REAL token of each sequence, which in a causal model has attended
// to the whole text, goes through a new head Linear(C -> K) to K class logits. With right padding
// the last real token sits at position length - 1, and it never sees the pads after it (causal).
//   h = GPT_hidden(ids)[b, len_b - 1, :]   (B, C);   logits = h Wᵀ + b   (B, K)

import { Tensor } from '../../tensor/tensor.js';
import { fromArray } from '../../tensor/creation.js';
import { matmul } from '../../tensor/ops/matmul.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { Module } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import type { GPT } from '../../model/gpt.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'last-token-pool' (chapter 11): from hidden states h (B, T, C) of right-padded
     * sequences and each row's real length, the hidden state of each row's last real token,
     * h[b, lengths[b] - 1, :], as (B, C).
     */
    lastTokenPool(h: Tensor, lengths: readonly number[]): Tensor;
  }
}

/** A (B, 1, T) one-hot selector of position lengths[b] - 1 in each row. */
export function lastTokenSelector(lengths: readonly number[], T: number): Tensor {
  const sel = new Float32Array(lengths.length * T);
  lengths.forEach((len, b) => {
    if (!Number.isInteger(len) || len < 1 || len > T)
      throw new LlmfsError(`classifier: sequence ${b} has length ${len}, expected 1..${T}`);
    sel[b * T + len - 1] = 1;
  });
  return fromArray(sel, [lengths.length, 1, T]);
}

/** h (B, T, C) and real lengths -> (B, C): the hidden state at position lengths[b] - 1 of each row. */
export const lastTokenPool = exercisable('lastTokenPool', (h, lengths) => {
  const [B, T] = h.shape;
  // Picking h[b, len_b - 1] as a matmul with a one-hot row keeps the gradient path plain.
  return matmul(lastTokenSelector(lengths, T), h).reshape(B, -1); // (B, 1, T) @ (B, T, C) -> (B, C)
});

export class GPTClassifier extends Module {
  /** The body; its lm_head (if any) is not used. */
  gpt: GPT;
  /** The new head: Linear(C -> K). GPT-2 classifiers in HF call it `score`. */
  score: Linear;

  constructor(
    gpt: GPT,
    readonly labels: readonly string[],
  ) {
    super();
    if (labels.length < 2) throw new LlmfsError(`classifier: need at least 2 labels, got ${labels.length}`);
    this.gpt = gpt;
    this.score = new Linear(gpt.config.nEmbd, labels.length);
  }

  /** Token ids (B, T), right-padded, and each row's real length -> class logits (B, K). */
  forward(idx: Tensor, lengths: readonly number[]): Tensor {
    const [B, T] = idx.shape;
    if (lengths.length !== B)
      throw new LlmfsError(`classifier: ${lengths.length} lengths for a batch of ${B} sequences`);
    if (T > this.gpt.config.blockSize)
      throw new LlmfsError(
        `classifier: sequences of ${T} tokens exceed the context window of ${this.gpt.config.blockSize}; ` +
          'truncate them (encodeExamples does)',
      );
    return this.head(this.gpt.hiddenStates(idx), lengths); // (B, T, C) -> (B, K)
  }

  /** Hidden states (B, T, C) and real lengths -> logits (B, K) of each row's last real token. */
  head(h: Tensor, lengths: readonly number[]): Tensor {
    const last = lastTokenPool(h, lengths); // (B, C)
    const [B, C] = [h.shape[0]!, h.shape[2]!];
    if (last.shape.join() !== `${B},${C}`)
      throw new LlmfsError(
        `classifier: the pooled states have shape (${last.shape.join(', ')}), expected (${B}, ${C})`,
      );
    return this.score.forward(last); // (B, K)
  }

  /** Mean cross-entropy over the batch: logits (B, K), targets B class ids. */
  loss(
    idx: Tensor,
    lengths: readonly number[],
    targets: readonly number[],
  ): { logits: Tensor; loss: Tensor } {
    const logits = this.forward(idx, lengths);
    return { logits, loss: crossEntropy(logits, targets) };
  }
}
