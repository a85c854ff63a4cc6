// Group Relative Policy Optimization (Shao et al., 2024, DeepSeekMath section 4.1). PPO (Schulman
// et al., 2017) needs a learned value function to tell a good action from a lucky one; GRPO drops
// it: for each prompt q it samples a GROUP of G responses o_1..o_G, rewards each, and uses the
// group itself as the baseline:
//   Â_i = (r_i - mean(r)) / (std(r) + δ)                       every token of o_i gets Â_i
// The policy-gradient loss is PPO's clipped surrogate, averaged per response then over the group,
// with a KL penalty to the frozen reference (the k3 estimator, unbiased and always >= 0):
//   ρ_t = π(o_t | q, o_<t) / π_old(o_t | q, o_<t)
//   KL_t = π_ref/π - log(π_ref/π) - 1
//   L = -(1/G) Σ_i (1/|o_i|) Σ_t [ min(ρ_t Â_i, clip(ρ_t, 1-ε, 1+ε) Â_i) - β KL_t ]
// π_old is the policy that sampled the group; with one update per group ρ = 1 in value and the
// loss is REINFORCE with a group baseline (nanochat's simplification); the clip matters when a
// group is reused for several updates. A group whose rewards are all equal has Â = 0: it teaches
// nothing but the KL term.

import { Tensor } from '../../tensor/tensor.js';
import { exp } from '../../tensor/ops/unary.js';
import { minimum } from '../../tensor/ops/elementwise.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'group-advantages' (chapter 12): rewards of G responses to one prompt -> each
     * one's advantage (r_i - mean) / (std + 1e-4), with the sample standard deviation (n - 1),
     * and all zeros when the group has one response or equal rewards.
     */
    groupAdvantages(rewards: readonly number[]): number[];
  }
}

/** Group-relative advantages: (r - mean) / (std + 1e-4), sample std (as TRL's GRPO trainer). */
export const groupAdvantages = exercisable('groupAdvantages', (rewards) => {
  const G = rewards.length;
  if (G < 2) return rewards.map(() => 0);
  const mean = rewards.reduce((a, r) => a + r, 0) / G;
  const std = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / (G - 1));
  return rewards.map((r) => (std === 0 ? 0 : (r - mean) / (std + 1e-4)));
});

export interface GrpoLossInputs {
  /** log π(o_t | ...) of the policy being trained: (N, T), on the graph. */
  logp: Tensor;
  /** The sampling policy's log-probabilities (N, T), constants; null: logp detached (ρ = 1). */
  oldLogp: Tensor | null;
  /** The reference's log-probabilities (N, T), constants; null: no KL term. */
  refLogp: Tensor | null;
  /** Â per response (N). */
  advantages: readonly number[];
  /** (N, T): 1 on response tokens. */
  mask: Tensor;
}

export interface GrpoLossOptions {
  /** PPO's clip range ε (default 0.2). */
  clip?: number;
  /** The KL coefficient β (default 0.04, DeepSeekMath's). */
  beta?: number;
}

export interface GrpoLossStats {
  /** Mean of KL_t over response tokens. */
  kl: number;
  /** Share of response tokens whose ratio was clipped. */
  clipFraction: number;
}

/** The GRPO loss (a scalar) and its statistics. */
export function grpoLoss(i: GrpoLossInputs, o: GrpoLossOptions = {}): { loss: Tensor; stats: GrpoLossStats } {
  const eps = o.clip ?? 0.2;
  const beta = o.beta ?? 0.04;
  if (!(eps > 0 && eps < 1)) throw new LlmfsError(`GRPO: the clip range must be in (0, 1), got ${eps}`);
  if (!(beta >= 0)) throw new LlmfsError(`GRPO: β must be >= 0, got ${beta}`);
  const [N, T] = i.logp.shape;
  if (i.advantages.length !== N)
    throw new LlmfsError(`GRPO: ${i.advantages.length} advantages for ${N} responses`);
  const A = new Tensor(Float32Array.from(i.advantages), [N, 1]); // broadcast over T
  const old = i.oldLogp ?? i.logp.detach();
  const ratio = exp(i.logp.sub(old)); // (N, T)
  const surrogate = minimum(ratio.mul(A), ratio.clamp(1 - eps, 1 + eps).mul(A)); // (N, T)
  let perToken = surrogate;
  let klT: Tensor | null = null;
  if (i.refLogp && beta > 0) {
    const d = i.refLogp.sub(i.logp); // log(π_ref / π)
    klT = exp(d).sub(d).sub(1); // (N, T), >= 0
    perToken = surrogate.sub(klT.mul(beta));
  }
  // Per response: the mean over its tokens; then the mean over responses.
  const counts = Array.from({ length: N }, (_, n) => {
    let c = 0;
    for (let t = 0; t < T; t++) c += i.mask.data[n * T + t];
    if (c === 0) throw new LlmfsError(`GRPO: response ${n} has no tokens`);
    return c;
  });
  const inv = new Tensor(
    Float32Array.from(counts, (c) => 1 / c),
    [N, 1],
  );
  const loss = perToken
    .mul(i.mask)
    .mul(inv)
    .sum()
    .mul(-1 / N);
  const tokens = counts.reduce((a, c) => a + c, 0);
  let kl = 0;
  let clipped = 0;
  for (let k = 0; k < N * T; k++) {
    if (i.mask.data[k] === 0) continue;
    if (klT) kl += klT.data[k];
    const r = ratio.data[k];
    if (r < 1 - eps || r > 1 + eps) clipped++;
  }
  return { loss, stats: { kl: kl / tokens, clipFraction: clipped / tokens } };
}
