// The router of a mixture of experts: which experts each token goes to, and with what weight.
// Top-k routing as in Mixtral (Jiang et al., 2024): the k largest router logits pick the experts,
// and the gates are a softmax over those k logits only. The load-balancing loss is the Switch
// Transformer's (Fedus et al., 2022, eq. 4), and capacity and dropped tokens follow section 2.2.

import { Tensor } from '../tensor/tensor.js';
import { fromArray } from '../tensor/creation.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'moe-routing' (chapter 15): top-k routing of N tokens by their router logits (N, E):
     * each token's k best experts, best first (ties: lower index), and the gates, a softmax over
     * those k logits only (N, k), differentiable in the logits.
     */
    topKRouting(logits: Tensor, k: number): Pick<Routing, 'experts' | 'gates'>;
  }
}

export interface Routing {
  /** The softmax over all E router logits (N, E): P in the balancing loss. */
  probs: Tensor;
  /** The chosen experts (N·k): token n's j-th choice at n·k + j, best first. */
  experts: Int32Array;
  /** The gates (N, k): softmax over the k chosen logits, so each token's gates sum to 1. */
  gates: Tensor;
}

/** The indices of the k largest values of `row`, largest first (ties: the lower index first). */
export function topKIndices(row: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: row.length }, (_, i) => i);
  order.sort((a, b) => row[b] - row[a] || a - b);
  return order.slice(0, k);
}

/** The experts and gates of top-k routing: logits (N, E) -> experts (N·k), gates (N, k). */
export const topKRouting = exercisable(
  'topKRouting',
  (logits: Tensor, k: number): Pick<Routing, 'experts' | 'gates'> => {
    const [N, E] = logits.shape;
    const experts = new Int32Array(N * k);
    for (let n = 0; n < N; n++) {
      const chosen = topKIndices(logits.data.subarray(n * E, (n + 1) * E), k);
      experts.set(chosen, n * k);
    }
    // The choice is a step function (no gradient); the gates are smooth in the chosen logits.
    const index = fromArray(experts, [N, k], { dtype: logits.dtype });
    const gates = logits.gather(1, index).softmax(-1); // (N, k)
    return { experts, gates };
  },
);

/** Routes N tokens by their router logits (N, E) to k experts each. */
export function routeTopK(logits: Tensor, k: number): Routing {
  const { experts, gates } = topKRouting(logits, k);
  return { probs: logits.softmax(-1), experts, gates };
}

/**
 * f: the share of the N·k routing choices that went to each expert (E), before capacity.
 * Switch routes top-1, where this is "the fraction of tokens dispatched to expert i".
 */
export function routedFractions(experts: Int32Array, E: number): number[] {
  const f = new Array<number>(E).fill(0);
  for (const e of experts) f[e] += 1 / experts.length;
  return f;
}

/**
 * The Switch Transformer's load-balancing loss (Fedus et al., 2022, eq. 4):
 *   loss = α · E · Σ_i f_i · P_i
 * f_i the share of routing choices sent to expert i (a count: no gradient), P_i the mean router
 * probability of expert i over the N tokens (differentiable). Both are 1/E when the load is even,
 * where the loss is at its minimum, α. (Hugging Face's Mixtral counts f over tokens, not choices:
 * its f, and its loss, are k times these.)
 */
export function loadBalancingLoss(probs: Tensor, experts: Int32Array, alpha: number): Tensor {
  const E = probs.shape[1];
  const f = fromArray(routedFractions(experts, E), [E], { dtype: probs.dtype }); // (E)
  const P = probs.mean(0); // (E)
  return P.mul(f)
    .sum()
    .mul(alpha * E); // ()
}

/**
 * Expert capacity (Fedus et al., 2022, eq. 3, for k choices per token):
 *   capacity = ceil(capacityFactor · N · k / E)
 * A capacity factor of 1 leaves no slack: every expert could take its even share and no more.
 */
export function expertCapacity(N: number, k: number, E: number, capacityFactor: number): number {
  return Math.ceil((capacityFactor * N * k) / E);
}

/**
 * Which routing choices an expert with room for `capacity` tokens keeps (1) or drops (0).
 * Choices are served in token order, each token's in its order of preference, so a token's fate
 * depends only on the tokens before it: a decoder stays causal within a sequence.
 */
export function keptChoices(experts: Int32Array, E: number, capacity: number): Uint8Array {
  const load = new Array<number>(E).fill(0);
  const kept = new Uint8Array(experts.length);
  for (let a = 0; a < experts.length; a++) {
    if (load[experts[a]] < capacity) {
      load[experts[a]]++;
      kept[a] = 1;
    }
  }
  return kept;
}
