// A reward model (Ouyang et al., 2022, InstructGPT section 3.5; Stiennon et al., 2020): the GPT
// body with a scalar head on the final hidden state of the LAST REAL token of prompt + response
// (the end-of-text, which has attended to all of it), trained on preference pairs with the
// Bradley-Terry likelihood that the chosen response wins:
//   r(x, y) = w · h_last + b                         h_last (C), one number per sequence
//   L = -mean log σ(r(x, y_c) - r(x, y_r))            (InstructGPT eq. 1, one pair per comparison)
// Only differences of rewards are learned, so the scale's zero is arbitrary.

import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { LlmfsError } from '../../errors.js';
import type { GPT } from '../../model/gpt.js';
import { lastTokenPool } from '../classify/head.js';
import type { EncodedPair } from './pairs.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'bradley-terry-loss' (chapter 12): rewards (B) of the chosen and of the rejected
     * responses -> the mean pairwise loss -mean log σ(r_c - r_r), a scalar.
     */
    bradleyTerryLoss(chosen: Tensor, rejected: Tensor): Tensor;
  }
}

/** -mean log σ(r_c - r_r): the chosen response should score higher. */
export const bradleyTerryLoss = exercisable('bradleyTerryLoss', (rc, rr) =>
  rc.sub(rr).logSigmoid().mean().neg(),
);

export class RewardModel extends Module {
  /** The body; its lm_head (if any) is not used. */
  gpt: GPT;
  /** The scalar head: Linear(C -> 1). */
  head: Linear;

  constructor(gpt: GPT) {
    super();
    this.gpt = gpt;
    this.head = new Linear(gpt.config.nEmbd, 1);
    // Linear's usual random weights (a zero head would pass no gradient to the body at first);
    // the bias starts at 0, and only differences of rewards are trained anyway.
    this.head.bias!.data.fill(0);
  }

  /** Token ids (B, T), right-padded, and each row's real length -> rewards (B). */
  forward(idx: Tensor, lengths: readonly number[]): Tensor {
    const [B, T] = idx.shape;
    if (lengths.length !== B)
      throw new LlmfsError(`reward model: ${lengths.length} lengths for a batch of ${B} sequences`);
    if (T > this.gpt.config.blockSize)
      throw new LlmfsError(
        `reward model: sequences of ${T} tokens exceed the context window of ${this.gpt.config.blockSize}`,
      );
    const h = this.gpt.hiddenStates(idx); // (B, T, C)
    return this.head.forward(lastTokenPool(h, lengths)).reshape(B); // (B, C) -> (B, 1) -> (B)
  }
}

/** Sequences to score: full ids (prompt + response + end-of-text), right-padded, with lengths. */
export interface RewardBatch {
  idx: Tensor; // (N, T)
  lengths: number[];
}

/** Rows of ids -> a right-padded batch; each row is cut to `maxT` ids (keeping its start). */
export function rewardBatch(rows: readonly (readonly number[])[], padId: number, maxT: number): RewardBatch {
  if (rows.length === 0) throw new LlmfsError('reward batch: no sequences');
  const cut = rows.map((r) => r.slice(0, maxT));
  const T = Math.max(...cut.map((r) => r.length));
  const idx = new Float32Array(rows.length * T).fill(padId);
  cut.forEach((r, b) => r.forEach((id, t) => (idx[b * T + t] = id)));
  return { idx: new Tensor(idx, [rows.length, T]), lengths: cut.map((r) => r.length) };
}

/** B pairs -> 2B rows (chosen first) for the reward model. */
export function rewardPairBatch(pairs: readonly EncodedPair[], padId: number, maxT: number): RewardBatch {
  return rewardBatch([...pairs.map((p) => p.chosen.ids), ...pairs.map((p) => p.rejected.ids)], padId, maxT);
}
