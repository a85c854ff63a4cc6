// The backward of the tiled attention (tiled-attention.ts has the forward). Per block it recomputes
// P from the saved log-sum-exp and runs five small matrix products on the gemm it is given:
//   dV += Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP - rowsum(dO ⊙ O)) · scale,  dQ = dS K,  dK += dSᵀ Q.

import type { FloatArray } from '../dtype.js';
import type { AttentionDims } from '../backend.js';
import { QBLOCK, gather, scatter, visible, type Gemm } from './attention-tiles.js';

export function tiledAttentionBackward(
  gemm: Gemm,
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
  const { B, Tq, Tk, nh, nkv, hs, scale } = d;
  const group = nh / nkv;
  const Kh = new Float32Array(Tk * hs);
  const Vh = new Float32Array(Tk * hs);
  const dKh = new Float32Array(Tk * hs);
  const dVh = new Float32Array(Tk * hs);
  const Qb = new Float32Array(QBLOCK * hs);
  const Ob = new Float32Array(QBLOCK * hs);
  const dOb = new Float32Array(QBLOCK * hs);
  const dQb = new Float32Array(QBLOCK * hs);
  const P = new Float32Array(QBLOCK * Tk);
  const dS = new Float32Array(QBLOCK * Tk);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      if (h % group === 0) {
        gather(k, b, Tk, nkv * hs, kh, hs, 0, Tk, Kh);
        gather(v, b, Tk, nkv * hs, kh, hs, 0, Tk, Vh);
        dKh.fill(0);
        dVh.fill(0);
      }
      for (let i0 = 0; i0 < Tq; i0 += QBLOCK) {
        const nq = Math.min(QBLOCK, Tq - i0);
        const nk = Math.min(Tk, visible(d, i0 + nq - 1) + 1);
        if (nk <= 0) continue;
        gather(q, b, Tq, nh * hs, h, hs, i0, i0 + nq, Qb);
        gather(out, b, Tq, nh * hs, h, hs, i0, i0 + nq, Ob);
        gather(dout, b, Tq, nh * hs, h, hs, i0, i0 + nq, dOb);
        const lseOff = (b * nh + h) * Tq + i0;
        // P = exp(S · scale - lse), zero where masked.
        gemm({
          transA: false,
          transB: true,
          M: nq,
          N: nk,
          K: hs,
          a: Qb,
          aOffset: 0,
          b: Kh,
          bOffset: 0,
          c: P,
          cOffset: 0,
          accumulate: false,
        });
        for (let r = 0; r < nq; r++) {
          const L = lse[lseOff + r];
          const last = Math.min(visible(d, i0 + r), nk - 1);
          for (let j = 0; j < nk; j++) {
            const blocked =
              L === -Infinity || j > last || (d.keyMask !== null && d.keyMask[b * Tk + j] === 0);
            P[r * nk + j] = blocked ? 0 : Math.exp(P[r * nk + j] * scale - L);
          }
        }
        // dV += Pᵀ dO
        gemm({
          transA: true,
          transB: false,
          M: nk,
          N: hs,
          K: nq,
          a: P,
          aOffset: 0,
          b: dOb,
          bOffset: 0,
          c: dVh,
          cOffset: 0,
          accumulate: true,
        });
        // dP = dO Vᵀ, then dS = P (dP - D) scale with D = rowsum(dO ⊙ O)
        gemm({
          transA: false,
          transB: true,
          M: nq,
          N: nk,
          K: hs,
          a: dOb,
          aOffset: 0,
          b: Vh,
          bOffset: 0,
          c: dS,
          cOffset: 0,
          accumulate: false,
        });
        for (let r = 0; r < nq; r++) {
          let D = 0;
          for (let c = 0; c < hs; c++) D += dOb[r * hs + c] * Ob[r * hs + c];
          for (let j = 0; j < nk; j++) dS[r * nk + j] = P[r * nk + j] * (dS[r * nk + j] - D) * scale;
        }
        // dQ = dS K;  dK += dSᵀ Q
        gemm({
          transA: false,
          transB: false,
          M: nq,
          N: hs,
          K: nk,
          a: dS,
          aOffset: 0,
          b: Kh,
          bOffset: 0,
          c: dQb,
          cOffset: 0,
          accumulate: false,
        });
        scatter(dq, b, Tq, nh * hs, h, hs, i0, i0 + nq, dQb, true);
        gemm({
          transA: true,
          transB: false,
          M: nk,
          N: hs,
          K: nq,
          a: dS,
          aOffset: 0,
          b: Qb,
          bOffset: 0,
          c: dKh,
          cOffset: 0,
          accumulate: true,
        });
      }
      if (h % group === group - 1) {
        scatter(dk, b, Tk, nkv * hs, kh, hs, 0, Tk, dKh, true);
        scatter(dv, b, Tk, nkv * hs, kh, hs, 0, Tk, dVh, true);
      }
    }
  }
}
