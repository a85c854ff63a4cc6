// The backward of the tiled attention (tiled-attention.ts has the forward). Per block it recomputes
// P from the saved log-sum-exp and runs five small matrix products on the gemm it is given:
//   dV += Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP - rowsum(dO ⊙ O)) · scale,  dQ = dS K,  dK += dSᵀ Q.
// P and dS are row-wise steps on `rows` (tiled-attention-rows.ts: plain loops or wasm kernels).

import type { FloatArray } from '../dtype.js';
import type { AttentionDims } from '../backend.js';
import { QBLOCK, visible, type Gemm } from './attention-tiles.js';
import { jsRows, type RowSteps, type TileSession } from './tiled-attention-rows.js';

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
  rows: RowSteps = jsRows,
): void {
  const { Tk, hs } = d;
  const kv = Tk * hs,
    blk = QBLOCK * hs,
    s = QBLOCK * Tk;
  const session = rows([kv, kv, kv, kv, blk, blk, blk, blk, s, s], d);
  try {
    backwardTiles(gemm, session, q, k, v, out, lse, dout, dq, dk, dv, d);
  } finally {
    session.close();
  }
}

/** The blocks of the backward, in the tiles of `session`. */
function backwardTiles(
  gemm: Gemm,
  session: TileSession,
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
  const { B, Tq, Tk, nh, nkv, hs } = d;
  const group = nh / nkv;
  const [Kh, Vh, dKh, dVh, Qb, Ob, dOb, dQb, P, dS] = session.tiles;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      if (h % group === 0) {
        session.gather(k, b, Tk, nkv * hs, kh, hs, 0, Tk, Kh);
        session.gather(v, b, Tk, nkv * hs, kh, hs, 0, Tk, Vh);
        dKh.fill(0);
        dVh.fill(0);
      }
      for (let i0 = 0; i0 < Tq; i0 += QBLOCK) {
        const nq = Math.min(QBLOCK, Tq - i0);
        const nk = Math.min(Tk, visible(d, i0 + nq - 1) + 1);
        if (nk <= 0) continue;
        session.gather(q, b, Tq, nh * hs, h, hs, i0, i0 + nq, Qb);
        session.gather(out, b, Tq, nh * hs, h, hs, i0, i0 + nq, Ob);
        session.gather(dout, b, Tq, nh * hs, h, hs, i0, i0 + nq, dOb);
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
        session.recomputeP(P, nq, nk, i0, b, lse, lseOff);
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
        session.gradScores(P, dS, nq, nk, dOb, Ob);
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
        session.scatter(dq, b, Tq, nh * hs, h, hs, i0, i0 + nq, dQb, true);
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
        session.scatter(dk, b, Tk, nkv * hs, kh, hs, 0, Tk, dKh, true);
        session.scatter(dv, b, Tk, nkv * hs, kh, hs, 0, Tk, dVh, true);
      }
    }
  }
}
