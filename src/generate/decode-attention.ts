// Attention of one query over the t + 1 cached keys, per head (Vaswani et al., 2017, eq. 1):
// out_h = softmax(q_h K_hᵀ / sqrt(hs)) V_h, for one decoding step. The same maths as the backend's
// attentionForward with Tq = 1 (its readable form is model/attention.ts), which it is tested
// equal to; a loop on Float32Arrays only, sums kept in float64, one exponential per score.

/** Sizes of one step's attention; grouped-query attention when nkv < nh. */
export interface DecodeAttentionDims {
  /** Keys seen (t + 1). */
  Tk: number;
  nh: number;
  nkv: number;
  hs: number;
  /** Multiplies q·k: 1/sqrt(hs). */
  scale: number;
}

/**
 * q (nh·hs) one query, heads side by side; k and v (Tk, nkv·hs), a layer's cached rows;
 * writes out (nh·hs). `scores` (>= Tk) and `acc` (>= hs) are scratch.
 */
export function decodeAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  scores: Float64Array,
  acc: Float64Array,
  d: DecodeAttentionDims,
): void {
  const { Tk, nh, nkv, hs, scale } = d;
  const group = nh / nkv;
  const W = nkv * hs; // one cached row
  for (let h = 0; h < nh; h++) {
    const qo = h * hs;
    const ho = ((h / group) | 0) * hs; // this query head's key/value head
    // scores s_j = q·k_j · scale, and their max for a stable softmax   (Tk)
    let m = -Infinity;
    for (let j = 0; j < Tk; j++) {
      const ko = j * W + ho;
      // four partial sums: independent chains the CPU overlaps (products of floats are exact in
      // float64, so the order changes nothing a float32 result can show)
      let d0 = 0,
        d1 = 0,
        d2 = 0,
        d3 = 0,
        c = 0;
      for (; c + 3 < hs; c += 4) {
        d0 += q[qo + c] * k[ko + c];
        d1 += q[qo + c + 1] * k[ko + c + 1];
        d2 += q[qo + c + 2] * k[ko + c + 2];
        d3 += q[qo + c + 3] * k[ko + c + 3];
      }
      for (; c < hs; c++) d0 += q[qo + c] * k[ko + c];
      const s = (d0 + d1 + (d2 + d3)) * scale;
      scores[j] = s;
      if (s > m) m = s;
    }
    // p_j = exp(s_j - m) / Σ exp(s_i - m);   out = Σ_j p_j v_j   (hs)
    let sum = 0;
    for (let j = 0; j < Tk; j++) {
      const e = Math.exp(scores[j] - m);
      scores[j] = e;
      sum += e;
    }
    for (let c = 0; c < hs; c++) acc[c] = 0;
    let j = 0;
    for (; j + 1 < Tk; j += 2) {
      // two value rows per pass over acc: half the loads and stores of acc
      const p0 = scores[j];
      const p1 = scores[j + 1];
      const v0 = j * W + ho;
      const v1 = v0 + W;
      for (let c = 0; c < hs; c++) acc[c] += p0 * v[v0 + c] + p1 * v[v1 + c];
    }
    for (; j < Tk; j++) {
      const p = scores[j];
      const vo = j * W + ho;
      for (let c = 0; c < hs; c++) acc[c] += p * v[vo + c];
    }
    const inv = 1 / sum;
    for (let c = 0; c < hs; c++) out[qo + c] = acc[c] * inv;
  }
}
