// Causal linear attention as one autograd op, the fast path beside the readable prefix-sum form
// in model/linear-attention.ts (tested equal to it). Given the feature-mapped queries and keys
// (Katharopoulos et al., 2020, eq. 9; their appendix on the gradients):
//   S_t = Σ_{j<=t} φk_j v_jᵀ,  z_t = Σ_{j<=t} φk_j,  out_t = φq_tᵀ S_t / (φq_tᵀ z_t)
// the forward keeps S and z as running sums, so it never stores the (T, hs, hv) prefix sums:
// time O(T · hs · hv) per head, memory O(hs · hv). The backward, with n_t = φq_tᵀ S_t, d_t = φq_tᵀ z_t:
//   dn_t = g_t / d_t,  dd_t = -(g_t · out_t) / d_t
//   dφq_t = S_t dn_t + dd_t z_t                       (a forward sweep rebuilds S_t and z_t)
//   dφk_j = (Σ_{t>=j} φq_t dn_tᵀ) v_j + Σ_{t>=j} dd_t φq_t
//   dv_j  = (Σ_{t>=j} φq_t dn_tᵀ)ᵀ φk_j              (a reverse sweep keeps those suffix sums)
// Layout: φq, φk (B, nh, T, hs), v (B, nh, T, hv), contiguous; out (B, nh, T, hv).

import { Tensor } from '../tensor-core.js';
import { allocate, promote } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { LlmfsError } from '../../errors.js';

export function causalLinearAttention(fq: Tensor, fk: Tensor, v: Tensor): Tensor {
  const ok =
    fq.ndim === 4 &&
    fk.ndim === 4 &&
    v.ndim === 4 &&
    fk.shape.every((d, i) => d === fq.shape[i]) &&
    v.shape.every((d, i) => i === 3 || d === fq.shape[i]);
  if (!ok) {
    throw new LlmfsError(
      `causalLinearAttention: φq, φk (B, nh, T, hs), v (B, nh, T, hv) do not fit: ${fmtShape(fq.shape)}, ` +
        `${fmtShape(fk.shape)}, ${fmtShape(v.shape)}`,
    );
  }
  const [B, nh, T, hs] = fq.shape;
  const hv = v.shape[3];
  const dtype = promote(promote(fq.dtype, fk.dtype), v.dtype);
  const Q = fq.data;
  const K = fk.data;
  const V = v.data;
  const out = allocate(dtype, B * nh * T * hv);
  const den = allocate(dtype, B * nh * T); // d_t, kept for the backward
  const S = new Float64Array(hs * hv);
  const z = new Float64Array(hs);
  for (let bh = 0; bh < B * nh; bh++) {
    S.fill(0);
    z.fill(0);
    for (let t = 0; t < T; t++) {
      const qo = (bh * T + t) * hs;
      const vo = (bh * T + t) * hv;
      for (let d = 0; d < hs; d++) {
        const kd = K[qo + d];
        z[d] += kd;
        for (let e = 0; e < hv; e++) S[d * hv + e] += kd * V[vo + e]; // S += φk_t v_tᵀ
      }
      let dt = 0;
      for (let d = 0; d < hs; d++) dt += Q[qo + d] * z[d];
      den[bh * T + t] = dt;
      for (let e = 0; e < hv; e++) {
        let n = 0;
        for (let d = 0; d < hs; d++) n += Q[qo + d] * S[d * hv + e];
        out[vo + e] = n / dt;
      }
    }
  }
  return Tensor.fromOp('causalLinearAttention', out, [B, nh, T, hv], [fq, fk, v], (g) => {
    const G = g.data;
    const dq = allocate(dtype, fq.size);
    const dk = allocate(dtype, fk.size);
    const dv = allocate(dtype, v.size);
    const dn = new Float64Array(T * hv); // g_t / d_t for one head
    const dd = new Float64Array(T); // -(g_t · out_t) / d_t
    const R = new Float64Array(hs * hv); // Σ_{t>=j} φq_t dn_tᵀ
    const r = new Float64Array(hs); // Σ_{t>=j} dd_t φq_t
    for (let bh = 0; bh < B * nh; bh++) {
      S.fill(0);
      z.fill(0);
      for (let t = 0; t < T; t++) {
        const qo = (bh * T + t) * hs;
        const vo = (bh * T + t) * hv;
        const dt = den[bh * T + t];
        let go = 0;
        for (let e = 0; e < hv; e++) {
          dn[t * hv + e] = G[vo + e] / dt;
          go += G[vo + e] * out[vo + e];
        }
        dd[t] = -go / dt;
        for (let d = 0; d < hs; d++) {
          const kd = K[qo + d];
          z[d] += kd;
          let s = dd[t] * z[d];
          for (let e = 0; e < hv; e++) {
            S[d * hv + e] += kd * V[vo + e];
            s += S[d * hv + e] * dn[t * hv + e];
          }
          dq[qo + d] = s; // S_t dn_t + dd_t z_t
        }
      }
      R.fill(0);
      r.fill(0);
      for (let j = T - 1; j >= 0; j--) {
        const qo = (bh * T + j) * hs;
        const vo = (bh * T + j) * hv;
        for (let d = 0; d < hs; d++) {
          const qd = Q[qo + d];
          r[d] += dd[j] * qd;
          for (let e = 0; e < hv; e++) R[d * hv + e] += qd * dn[j * hv + e];
        }
        for (let d = 0; d < hs; d++) {
          let s = r[d];
          for (let e = 0; e < hv; e++) s += R[d * hv + e] * V[vo + e];
          dk[qo + d] = s; // R v_j + r
        }
        for (let e = 0; e < hv; e++) {
          let s = 0;
          for (let d = 0; d < hs; d++) s += R[d * hv + e] * K[qo + d];
          dv[vo + e] = s; // Rᵀ φk_j
        }
      }
    }
    return [new Tensor(dq, fq.shape), new Tensor(dk, fk.shape), new Tensor(dv, v.shape)];
  });
}
