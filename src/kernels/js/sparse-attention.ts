// Reference sparse attention kernels: softmax(q kᵀ · scale) v where query i attends only to the
// keys in its list (a sliding window, or the Sparse Transformer's strided or fixed pattern; Child
// et al., 2019). The loops visit the listed (query, key) pairs and nothing else, so the cost is
// proportional to the pattern (T·W), not to T². Otherwise as the dense reference, js/attention.ts:
// one score row at a time, its log-sum-exp saved for the backward, which recomputes the weights.
// Layout: q (B, Tq, nh·hs), k and v (B, Tk, nkv·hs): heads side by side, no transposes.

import type { FloatArray } from '../dtype.js';
import type { SparseAttentionDims } from '../backend-interface.js';

/** The longest key list: the size of the score row buffer. */
function widest(offsets: Int32Array): number {
  let w = 0;
  for (let i = 0; i + 1 < offsets.length; i++) w = Math.max(w, offsets[i + 1] - offsets[i]);
  return w;
}

/** out (B, Tq, nh·hs); lse (B, nh, Tq) the log-sum-exp of each row's listed scores (-inf if none). */
export function sparseAttentionForward(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  d: SparseAttentionDims,
): void {
  const { B, Tq, Tk, nh, nkv, hs, scale, keyMask } = d;
  const { offsets, keys } = d.lists;
  const group = nh / nkv;
  const qRow = nh * hs;
  const kRow = nkv * hs;
  const s = new Float64Array(widest(offsets)); // scores of one query's listed keys
  const acc = new Float64Array(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < Tq; i++) {
        const from = offsets[i];
        const to = offsets[i + 1];
        const qo = (b * Tq + i) * qRow + h * hs;
        let m = -Infinity;
        for (let n = from; n < to; n++) {
          const j = keys[n];
          if (keyMask && keyMask[b * Tk + j] === 0) {
            s[n - from] = -Infinity;
            continue;
          }
          const ko = (b * Tk + j) * kRow + kh * hs;
          let dot = 0;
          for (let c = 0; c < hs; c++) dot += q[qo + c] * k[ko + c];
          s[n - from] = dot * scale;
          if (s[n - from] > m) m = s[n - from];
        }
        acc.fill(0);
        let l = 0;
        if (m !== -Infinity) {
          for (let n = from; n < to; n++) {
            if (s[n - from] === -Infinity) continue;
            const p = Math.exp(s[n - from] - m);
            l += p;
            const vo = (b * Tk + keys[n]) * kRow + kh * hs;
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
 * Gradients over the listed pairs only, recomputing p_ij = exp(s_ij - lse_i). With D_i = dO_i · O_i:
 *   dV_j += p_ij dO_i,   dS_ij = p_ij (dO_i · v_j - D_i),
 *   dQ_i += scale Σ_j dS_ij k_j,   dK_j += scale dS_ij q_i      (j in query i's list).
 * dq, dk, dv must be zeroed by the caller (they are accumulated).
 */
export function sparseAttentionBackward(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  dout: FloatArray,
  dq: FloatArray,
  dk: FloatArray,
  dv: FloatArray,
  d: SparseAttentionDims,
): void {
  const { B, Tq, Tk, nh, nkv, hs, scale, keyMask } = d;
  const { offsets, keys } = d.lists;
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
        const qo = (b * Tq + i) * qRow + h * hs;
        let D = 0;
        for (let c = 0; c < hs; c++) D += dout[qo + c] * out[qo + c];
        dqAcc.fill(0);
        for (let n = offsets[i]; n < offsets[i + 1]; n++) {
          const j = keys[n];
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
