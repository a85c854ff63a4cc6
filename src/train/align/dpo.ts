// Direct Preference Optimization (Rafailov et al., 2023). RLHF's objective, maximise reward while
// staying near a reference policy, max_π E[r(x, y)] - β KL(π || π_ref), has the closed-form
// optimum π*(y|x) ∝ π_ref(y|x) exp(r(x, y) / β). Solved for the reward,
//   r(x, y) = β log(π(y|x) / π_ref(y|x)) + β log Z(x),
// and put into the Bradley-Terry model of preferences, p(y_c ≻ y_r) = σ(r_c - r_r), the partition
// function Z(x) cancels, leaving a loss on the policy alone (the paper's eq. 7):
//   L = -log σ( β [ (log π(y_c) - log π_ref(y_c)) - (log π(y_r) - log π_ref(y_r)) ] )
// The bracketed terms times β are the "implicit rewards" DPO reports: chosen reward β(π_c - ref_c),
// rejected reward β(π_r - ref_r); their difference is the reward margin, and the share of pairs
// with a positive margin is the preference accuracy. With label smoothing ε (conservative DPO,
// Mitchell 2023) the preference label is trusted with probability 1 - ε:
//   L_ε = -(1 - ε) log σ(z) - ε log σ(-z),   z = β [ ... ]

import { Tensor } from '../../tensor/tensor.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'dpo-loss' (chapter 12): summed log-probabilities (B) of the chosen and rejected
     * responses under the policy and the frozen reference -> the mean DPO loss, a scalar:
     * -mean log σ(β((π_c - ref_c) - (π_r - ref_r))).
     */
    dpoLoss(
      policyChosen: Tensor,
      policyRejected: Tensor,
      refChosen: Tensor,
      refRejected: Tensor,
      beta: number,
    ): Tensor;
  }
}

/** The DPO loss, a scalar; every input is (B). Reference log-probabilities carry no gradient. */
export const dpoLoss = exercisable('dpoLoss', (pc, pr, rc, rr, beta) => {
  const z = pc.sub(rc).sub(pr.sub(rr)).mul(beta); // (B): β · (chosen log-ratio - rejected log-ratio)
  return z.logSigmoid().mean().neg();
});

export interface DpoStats {
  /** The mean loss. */
  loss: number;
  /** Mean implicit reward of the chosen responses, β (log π(y_c) - log π_ref(y_c)). */
  chosenReward: number;
  /** Mean implicit reward of the rejected responses. */
  rejectedReward: number;
  /** Mean of chosen reward - rejected reward. */
  rewardMargin: number;
  /** Share of pairs whose chosen reward is above the rejected one. */
  preferenceAccuracy: number;
  /** Pairs counted. */
  pairs: number;
}

export interface DpoOutput {
  loss: Tensor;
  stats: DpoStats;
}

/**
 * The DPO loss with its statistics. `labelSmoothing` ε in [0, 0.5) is conservative DPO's; 0 is
 * the paper's loss (and goes through the `dpoLoss` exercise).
 */
export function dpo(
  policyChosen: Tensor,
  policyRejected: Tensor,
  refChosen: Tensor,
  refRejected: Tensor,
  beta: number,
  labelSmoothing = 0,
): DpoOutput {
  if (!(beta > 0) || !Number.isFinite(beta))
    throw new LlmfsError(`DPO: β must be a positive number, got ${beta}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5))
    throw new LlmfsError(`DPO: label smoothing must be in [0, 0.5), got ${labelSmoothing}`);
  const B = policyChosen.size;
  for (const t of [policyRejected, refChosen, refRejected])
    if (t.size !== B)
      throw new LlmfsError(`DPO: expected ${B} log-probabilities on each side, got ${t.size}`);
  const z = policyChosen.sub(refChosen).sub(policyRejected.sub(refRejected)).mul(beta); // (B)
  const loss =
    labelSmoothing === 0
      ? dpoLoss(policyChosen, policyRejected, refChosen, refRejected, beta)
      : z
          .logSigmoid()
          .mul(1 - labelSmoothing)
          .add(z.neg().logSigmoid().mul(labelSmoothing))
          .mean()
          .neg();
  const stats = dpoStats(
    Array.from(policyChosen.data, (v, i) => beta * (v - refChosen.data[i])),
    Array.from(policyRejected.data, (v, i) => beta * (v - refRejected.data[i])),
    loss.item(),
  );
  return { loss, stats };
}

/** Rewards per pair -> the means DPO logs. */
export function dpoStats(chosen: readonly number[], rejected: readonly number[], loss: number): DpoStats {
  const n = chosen.length;
  const mean = (xs: readonly number[]) => xs.reduce((a, v) => a + v, 0) / Math.max(n, 1);
  const margins = chosen.map((c, i) => c - rejected[i]);
  return {
    loss,
    chosenReward: mean(chosen),
    rejectedReward: mean(rejected),
    rewardMargin: mean(margins),
    preferenceAccuracy: margins.filter((m) => m > 0).length / Math.max(n, 1),
    pairs: n,
  };
}

/** Stats of several batches, weighted by their pairs. */
export function mergeDpoStats(xs: readonly DpoStats[]): DpoStats {
  const n = xs.reduce((a, s) => a + s.pairs, 0);
  const w = (k: keyof DpoStats) => (n === 0 ? NaN : xs.reduce((a, s) => a + s[k] * s.pairs, 0) / n);
  return {
    loss: w('loss'),
    chosenReward: w('chosenReward'),
    rejectedReward: w('rejectedReward'),
    rewardMargin: w('rewardMargin'),
    preferenceAccuracy: w('preferenceAccuracy'),
    pairs: n,
  };
}

/** A plain (B) tensor of numbers, off the graph (reference log-probabilities). */
export function constant(xs: readonly number[]): Tensor {
  return new Tensor(Float32Array.from(xs), [xs.length]);
}
