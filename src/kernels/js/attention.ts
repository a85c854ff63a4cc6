// Reference fused attention kernels (the js backend's): softmax(q kᵀ · scale) v one query row
// at a time, so the T x T score matrix is never stored: one row of scores lives at a time, its
// maximum and sum of exponentials give the softmax, and the backward recomputes the weights
// from the saved log-sum-exp, as FlashAttention does (Dao et al., 2022).
// Layout: q (B, Tq, nh·hs), k and v (B, Tk, nkv·hs): heads side by side, no transposes.

import type { FloatArray } from '../dtype.js';
import type { AttentionDims } from '../backend-interface.js';

/** out (B, Tq, nh·hs); lse (B, nh, Tq) the log-sum-exp of each score row (-inf if none visible). */
export function attentionForward(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  d: AttentionDims,
): void {
  const { B, Tq, Tk, nh, nkv, hs, scale, causal, keyMask } = d;
  const group = nh / nkv;
  const qRow = nh * hs;
  const kRow = nkv * hs;
  const s = new Float64Array(Tk);
  const acc = new Float64Array(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < Tq; i++) {
        const last = causal ? Tk - Tq + i : Tk - 1;
        const qo = (b * Tq + i) * qRow + h * hs;
        let m = -Infinity;
        for (let j = 0; j <= last; j++) {
          if (keyMask && keyMask[b * Tk + j] === 0) {
            s[j] = -Infinity;
            continue;
          }
          const ko = (b * Tk + j) * kRow + kh * hs;
          let dot = 0;
          for (let c = 0; c < hs; c++) dot += q[qo + c] * k[ko + c];
          s[j] = dot * scale;
          if (s[j] > m) m = s[j];
        }
        acc.fill(0);
        let l = 0;
        if (m !== -Infinity) {
          for (let j = 0; j <= last; j++) {
            if (s[j] === -Infinity) continue;
            const p = Math.exp(s[j] - m);
            l += p;
            const vo = (b * Tk + j) * kRow + kh * hs;
            for (let c = 0; c < hs; c++) acc[c] += p * v[vo + c];
          }
        }
        const inv = l > 0 ? 1 / l : 0;
        for (let c = 0; c < hs; c++) out[qo + c] = acc[c] * inv;
        lse[(b * nh + h) * Tq + i] = l > 0 ? m + Math.log(l) : -Infinity;
      }
    }
  }
}

/**
 * Gradients, recomputing p_ij = exp(s_ij - lse_i). With D_i = dO_i · O_i:
 *   dV_j += p_ij dO_i,   dS_ij = p_ij (dO_i · v_j - D_i),
 *   dQ_i += scale Σ_j dS_ij k_j,   dK_j += scale dS_ij q_i.
 * dq, dk, dv must be zeroed by the caller (they are accumulated).
 */
export function attentionBackward(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  dout: FloatArray,
  dq: FloatArray,
  dk: FloatArray,
  dv: FloatArray,
  d: AttentionDims,
): void {
  const { B, Tq, Tk, nh, nkv, hs, scale, causal, keyMask } = d;
  const group = nh / nkv;
  const qRow = nh * hs;
  const kRow = nkv * hs;
  const dqAcc = new Float64Array(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < Tq; i++) {
        const L = lse[(b * nh + h) * Tq + i];
        if (L === -Infinity) continue; // a row that saw no key has no gradient
        const last = causal ? Tk - Tq + i : Tk - 1;
        const qo = (b * Tq + i) * qRow + h * hs;
        let D = 0;
        for (let c = 0; c < hs; c++) D += dout[qo + c] * out[qo + c];
        dqAcc.fill(0);
        for (let j = 0; j <= last; j++) {
          if (keyMask && keyMask[b * Tk + j] === 0) continue;
          const ko = (b * Tk + j) * kRow + kh * hs;
          let dot = 0;
          let dp = 0;
          for (let c = 0; c < hs; c++) {
            dot += q[qo + c] * k[ko + c];
            dp += dout[qo + c] * v[ko + c];
          }
          const p = Math.exp(dot * scale - L);
          const ds = p * (dp - D) * scale;
          for (let c = 0; c < hs; c++) {
            dv[ko + c] += p * dout[qo + c];
            dqAcc[c] += ds * k[ko + c];
            dk[ko + c] += ds * q[qo + c];
          }
        }
        for (let c = 0; c < hs; c++) dq[qo + c] += dqAcc[c];
      }
    }
  }
}
