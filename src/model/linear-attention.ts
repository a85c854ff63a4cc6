// Linear attention (Katharopoulos et al., 2020, "Transformers are RNNs", eqs. 4-9 and 16-20).
// Softmax attention's similarity exp(qᵀk / sqrt(hs)) is replaced by a kernel φ(q)ᵀφ(k) with a
// positive feature map φ(x) = elu(x) + 1 (eq. 7), so the sum over keys can be taken first:
//   out_i = φ(q_i)ᵀ S_i / (φ(q_i)ᵀ z_i),   S_i = Σ_{j<=i} φ(k_j) v_jᵀ,   z_i = Σ_{j<=i} φ(k_j)
// Parallel form (training): S_i and z_i for every i at once as prefix sums (cumsum over time);
// cost O(T · hs²) per head instead of softmax's O(T² · hs), memory T · hs² for the prefix sums.
// Recurrent form (generation, eqs. 18-20): S and z are a running state, updated once per token,
//   S ← S + φ(k_t) v_tᵀ,  z ← z + φ(k_t),  out_t = φ(q_t)ᵀ S / (φ(q_t)ᵀ z)
// so each new token costs O(hs²) per head and the state never grows: an RNN.
// The fast path (tensor/ops/causal-linear-attention.ts) computes the same causal form with running
// sums in one op, without the prefix sums in memory; the model trains with it.
// There is no 1/sqrt(hs) scale and no softmax, hence no attention dropout and no score bias.

import { Tensor } from '../tensor/tensor.js';
import { cumsum } from '../tensor/ops/cumsum.js';
import { causalLinearAttention } from '../tensor/ops/causal-linear-attention.js';
import { cat } from '../tensor/ops/layout.js';
import { zeros } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { causalMask } from './masks.js';
import { LlmfsError } from '../errors.js';
import { fmtShape } from '../tensor/shape.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'linear-attention-step' (chapter 15): one recurrent step of causal linear attention
     * for one new position: S' = S + φ(k) vᵀ, z' = z + φ(k), out = φ(q)ᵀ S' / (φ(q)ᵀ z'), φ = elu + 1.
     */
    linearAttentionStep(q: Tensor, k: Tensor, v: Tensor, S: Tensor, z: Tensor): LinearStep;
  }
}

/** One recurrent step's result: the output for the new position and the updated state. */
export interface LinearStep {
  /** φ(q)ᵀ S' / (φ(q)ᵀ z'): (B, nh, 1, hv). */
  out: Tensor;
  /** S' = S + φ(k) vᵀ: (B, nh, hs, hv). */
  S: Tensor;
  /** z' = z + φ(k): (B, nh, 1, hs). */
  z: Tensor;
}

/** The feature map φ(x) = elu(x) + 1 = max(x, 0) + exp(min(x, 0)): positive, and x + 1 for x > 0. */
export function eluFeatureMap(x: Tensor): Tensor {
  return x.relu().add(x.minimum(0).exp());
}

/** The recurrent state of one layer for a batch: what a linear model keeps instead of a KV cache. */
export interface LinearAttentionState {
  /** S = Σ_j φ(k_j) v_jᵀ over the positions seen: (B, nh, hs, hs). */
  S: Tensor;
  /** z = Σ_j φ(k_j): (B, nh, 1, hs). */
  z: Tensor;
  /** Positions folded into the state. */
  length: number;
}

function checkShapes(q: Tensor, k: Tensor, v: Tensor): void {
  const ok =
    q.ndim === 4 &&
    k.ndim === 4 &&
    v.ndim === 4 &&
    k.shape.every((d, i) => d === q.shape[i]) &&
    v.shape.every((d, i) => i === 3 || d === q.shape[i]);
  if (!ok) {
    throw new LlmfsError(
      `linear attention: q, k, v must be (B, nh, T, hs) alike, got ${fmtShape(q.shape)}, ` +
        `${fmtShape(k.shape)}, ${fmtShape(v.shape)}`,
    );
  }
}

/**
 * Causal linear attention, parallel form: q, k, v (B, nh, T, hs) -> (B, nh, T, hs).
 * Without `causal` every query sees every key: S = φ(K)ᵀ V once (eq. 6).
 */
export function linearAttention(q: Tensor, k: Tensor, v: Tensor, causal = true): Tensor {
  checkShapes(q, k, v);
  const fq = eluFeatureMap(q); // (B, nh, T, hs)
  const fk = eluFeatureMap(k); // (B, nh, T, hs)
  if (!causal) {
    const S = fk.transpose(-2, -1).matmul(v); // (B, nh, hs, hs)
    const z = fk.sum(2, true); // (B, nh, 1, hs)
    return fq.matmul(S).div(fq.mul(z).sum(-1, true)); // (B, nh, T, hs)
  }
  const kv = fk.unsqueeze(-1).mul(v.unsqueeze(-2)); // φ(k_j) v_jᵀ: (B, nh, T, hs, hs)
  const S = cumsum(kv, 2); // S_i: (B, nh, T, hs, hs)
  const z = cumsum(fk, 2); // z_i: (B, nh, T, hs)
  const num = fq.unsqueeze(-1).mul(S).sum(-2); // φ(q_i)ᵀ S_i = Σ_d φ(q_i)_d S_i[d, :]: (B, nh, T, hs)
  const den = fq.mul(z).sum(-1, true); // φ(q_i)ᵀ z_i: (B, nh, T, 1)
  return num.div(den);
}

/** Causal linear attention through the fused op: equals linearAttention(q, k, v); memory O(hs²) a head. */
export function linearAttentionFused(q: Tensor, k: Tensor, v: Tensor): Tensor {
  checkShapes(q, k, v);
  return causalLinearAttention(eluFeatureMap(q), eluFeatureMap(k), v); // (B, nh, T, hs)
}

/** The state after positions k, v (B, nh, T, hs): S = φ(K)ᵀ V, z = Σ φ(k_j), as the recurrence leaves it. */
export function linearAttentionState(k: Tensor, v: Tensor): LinearAttentionState {
  const fk = eluFeatureMap(k); // (B, nh, T, hs)
  return { S: keep(fk.transpose(-2, -1).matmul(v)), z: keep(fk.sum(2, true)), length: k.shape[2] };
}

/**
 * The state outlives the step that made it, so it is copied out of any buffer arena the step runs in
 * (tensor/arena.ts recycles those buffers afterwards), unless gradients flow through it.
 */
function keep(t: Tensor): Tensor {
  return t.requiresGrad ? t : new Tensor(t.data.slice(), t.shape);
}

/** An empty state (nothing seen yet) for B rows, nh heads, key size hs and value size hv. */
export function emptyLinearState(
  B: number,
  nh: number,
  hs: number,
  hv: number,
  dtype: DType,
): LinearAttentionState {
  return { S: zeros([B, nh, hs, hv], { dtype }), z: zeros([B, nh, 1, hs], { dtype }), length: 0 };
}

/**
 * One step of the recurrence (eqs. 18-20) for the position after `S`, `z`: q, k (B, nh, 1, hs) and
 * v (B, nh, 1, hv) raw (before the feature map). Returns the new state rather than changing S, z.
 */
export const linearAttentionStep = exercisable(
  'linearAttentionStep',
  (q: Tensor, k: Tensor, v: Tensor, S: Tensor, z: Tensor): LinearStep => {
    const fq = eluFeatureMap(q); // (B, nh, 1, hs)
    const fk = eluFeatureMap(k); // (B, nh, 1, hs)
    const S2 = S.add(fk.transpose(-2, -1).matmul(v)); // S + φ(k) vᵀ: (B, nh, hs, hv)
    const z2 = z.add(fk); // (B, nh, 1, hs)
    const out = fq.matmul(S2).div(fq.mul(z2).sum(-1, true)); // (B, nh, 1, hv)
    return { out, S: S2, z: z2 };
  },
);

/**
 * Recurrent form: q, k, v (B, nh, T, hs) continuing after `state` (updated in place), one token at
 * a time -> (B, nh, T, hs). Equal to the parallel form on the whole sequence (tested).
 */
export function linearAttentionRecurrent(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  state: LinearAttentionState,
): Tensor {
  checkShapes(q, k, v);
  const T = q.shape[2];
  const outs: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const qt = q.narrow(2, t, 1); // (B, nh, 1, hs)
    const kt = k.narrow(2, t, 1); // (B, nh, 1, hs)
    const vt = v.narrow(2, t, 1); // (B, nh, 1, hv)
    const step = linearAttentionStep(qt, kt, vt, state.S, state.z);
    state.S = step.S; // (B, nh, hs, hv)
    state.z = step.z; // (B, nh, 1, hs)
    state.length++;
    outs.push(step.out); // (B, nh, 1, hv)
  }
  state.S = keep(state.S);
  state.z = keep(state.z);
  return T === 1 ? outs[0] : cat(outs, 2); // (B, nh, T, hs)
}

/**
 * The attention weights linear attention implies, for inspection: w_ij = φ(q_i)ᵀφ(k_j) / Σ_j' φ(q_i)ᵀφ(k_j'),
 * over j <= i when causal. q (B, nh, Tq, hs), k (B, nh, Tk, hs) -> (B, nh, Tq, Tk); rows sum to 1.
 */
export function linearAttentionWeights(q: Tensor, k: Tensor, causal = true): Tensor {
  let a = eluFeatureMap(q).matmul(eluFeatureMap(k).transpose(-2, -1)); // (B, nh, Tq, Tk)
  if (causal) a = a.mul(causalMask(q.shape[2], k.shape[2]));
  return a.div(a.sum(-1, true));
}
