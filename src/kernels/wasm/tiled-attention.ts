// Fused attention in tiles, the wasm backend's attention beside the row-by-row reference in
// js/attention.ts (which it must equal). For each batch row and head, queries are taken in blocks
// of QBLOCK: scores S = Q_blk Kᵀ for that block only (never the whole T x T matrix), masked,
// softmaxed row-wise with the log-sum-exp saved, then O_blk = P V, the products on the gemm it is
// given and the row-wise steps on `rows` (tiled-attention-rows.ts: plain loops or wasm kernels).
// The backward, which recomputes P from the log-sum-exp, is in tiled-attention-backward.ts.

import type { FloatArray } from '../dtype.js';
import type { AttentionDims, Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { QBLOCK, visible, type Gemm } from './attention-tiles.js';
import { jsRows, type RowSteps, type TileSession } from './tiled-attention-rows.js';
import { tiledAttentionBackward } from './tiled-attention-backward.js';
import type { DirectAttention } from './direct-attention.js';

export { tiledAttentionBackward } from './tiled-attention-backward.js';

/** Up to this many queries (decoding: one new token per step) the direct loop below is used. */
const DIRECT_MAX_TQ = 4;

/**
 * Attention for a few queries (a decoding step), straight from the (B, T, n·hs) arrays: per
 * query a row of scores, a softmax, and a weighted sum of value rows. With one query row there
 * is nothing to tile, and gathering every key and value of every head would cost as much as
 * the arithmetic itself.
 */
export function directAttentionForward(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  d: AttentionDims,
): void {
  const { B, Tq, Tk, nh, nkv, hs, scale } = d;
  const group = nh / nkv;
  const s = new Float64Array(Tk);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < Tq; i++) {
        const qo = (b * Tq + i) * nh * hs + h * hs;
        const last = Math.min(visible(d, i), Tk - 1);
        let m = -Infinity;
        for (let j = 0; j <= last; j++) {
          if (d.keyMask !== null && d.keyMask[b * Tk + j] === 0) {
            s[j] = -Infinity;
            continue;
          }
          const ko = (b * Tk + j) * nkv * hs + kh * hs;
          let dot = 0;
          for (let c = 0; c < hs; c++) dot += q[qo + c] * k[ko + c];
          s[j] = dot * scale;
          if (s[j] > m) m = s[j];
        }
        let l = 0;
        if (m !== -Infinity) for (let j = 0; j <= last; j++) l += Math.exp(s[j] - m);
        const L = l > 0 ? m + Math.log(l) : -Infinity;
        lse[(b * nh + h) * Tq + i] = L;
        for (let c = 0; c < hs; c++) out[qo + c] = 0;
        if (L === -Infinity) continue;
        for (let j = 0; j <= last; j++) {
          const p = Math.exp(s[j] - L);
          if (p === 0) continue;
          const vo = (b * Tk + j) * nkv * hs + kh * hs;
          for (let c = 0; c < hs; c++) out[qo + c] += p * v[vo + c];
        }
      }
    }
  }
}

export function tiledAttentionForward(
  gemm: Gemm,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  d: AttentionDims,
  rows: RowSteps = jsRows,
): void {
  const { Tq, Tk, hs } = d;
  if (Tq <= DIRECT_MAX_TQ) return directAttentionForward(q, k, v, out, lse, d);
  const session = rows([Tk * hs, Tk * hs, QBLOCK * hs, QBLOCK * Tk, QBLOCK * hs], d);
  try {
    forwardTiles(gemm, session, q, k, v, out, lse, d);
  } finally {
    session.close();
  }
}

/** The blocks of the forward, in the tiles of `session`: (Tk, hs) K and V, (64, hs) Q and O, S. */
function forwardTiles(
  gemm: Gemm,
  session: TileSession,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  out: FloatArray,
  lse: FloatArray,
  d: AttentionDims,
): void {
  const { B, Tq, Tk, nh, nkv, hs } = d;
  const group = nh / nkv;
  const [Kh, Vh, Qb, S, Ob] = session.tiles;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      if (h % group === 0) {
        session.gather(k, b, Tk, nkv * hs, h / group, hs, 0, Tk, Kh);
        session.gather(v, b, Tk, nkv * hs, h / group, hs, 0, Tk, Vh);
      }
      for (let i0 = 0; i0 < Tq; i0 += QBLOCK) {
        const nq = Math.min(QBLOCK, Tq - i0);
        const nk = Math.min(Tk, visible(d, i0 + nq - 1) + 1); // keys any row of the block can see
        session.gather(q, b, Tq, nh * hs, h, hs, i0, i0 + nq, Qb);
        const lseOff = (b * nh + h) * Tq + i0;
        if (nk <= 0) {
          for (let r = 0; r < nq; r++) lse[lseOff + r] = -Infinity;
          Ob.fill(0);
        } else {
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
            c: S,
            cOffset: 0,
            accumulate: false,
          });
          session.softmax(S, nq, nk, i0, b, lse, lseOff); // P, in place of S
          gemm({
            transA: false,
            transB: false,
            M: nq,
            N: hs,
            K: nk,
            a: S,
            aOffset: 0,
            b: Vh,
            bOffset: 0,
            c: Ob,
            cOffset: 0,
            accumulate: false,
          });
        }
        session.scatter(out, b, Tq, nh * hs, h, hs, i0, i0 + nq, Ob, false);
      }
    }
  }
}

/**
 * The Backend attention methods on `gemm` (the wasm backend's own) with the row-wise steps `rows`
 * (the wasm backend's `wasmRows`) and, for a few queries, `direct` (its `wasmDirect`; else the
 * loop above). The tiles are float32, so float64 inputs (gradient checks) go to the row-by-row
 * reference, as other wasm methods do.
 */
export function tiledAttention(
  gemm: Gemm,
  rows: RowSteps = jsRows,
  direct: DirectAttention | null = null,
): Pick<Backend, 'attentionForward' | 'attentionBackward'> {
  const f32 = (...xs: FloatArray[]) => xs.every((x) => x instanceof Float32Array);
  return {
    attentionForward(q, k, v, out, lse, d) {
      if (!f32(q, k, v, out)) return jsBackend.attentionForward(q, k, v, out, lse, d);
      if (d.Tq <= DIRECT_MAX_TQ && direct?.(q, k, v, out, lse, d)) return;
      tiledAttentionForward(gemm, q, k, v, out, lse, d, rows);
    },
    attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, d) {
      const tiles = f32(q, k, v, out, dout, dq, dk, dv);
      if (!tiles) return jsBackend.attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, d);
      tiledAttentionBackward(gemm, q, k, v, out, lse, dout, dq, dk, dv, d, rows);
    },
  };
}
