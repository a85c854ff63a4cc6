// Fused attention in tiles, the wasm backend's attention beside the row-by-row reference in
// js/attention.ts (which it must equal). For each batch row and head, queries are taken in blocks
// of QBLOCK: scores S = Q_blk Kᵀ for that block only (never the whole T x T matrix), masked,
// softmaxed row-wise with the log-sum-exp saved, then O_blk = P V. The backward recomputes P from
// the log-sum-exp and runs five small matrix products per block, all on the gemm it is given:
//   dV += Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP - rowsum(dO ⊙ O)) · scale,  dQ = dS K,  dK += dSᵀ Q.

import type { FloatArray } from '../dtype.js';
import type { AttentionDims, Backend, GemmArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';

type Gemm = (args: GemmArgs) => void;

const QBLOCK = 64;
/** Up to this many queries (decoding: one new token per step) the direct loop below is used. */
const DIRECT_MAX_TQ = 4;

/** Copies head `h` of rows t0..t1-1 from a (B, T, n·hs) array into a contiguous (t1-t0, hs) block. */
function gather(
  src: FloatArray,
  b: number,
  T: number,
  rowWidth: number,
  h: number,
  hs: number,
  t0: number,
  t1: number,
  dst: Float32Array,
): void {
  for (let t = t0; t < t1; t++) {
    const so = (b * T + t) * rowWidth + h * hs;
    dst.set(src.subarray(so, so + hs), (t - t0) * hs);
  }
}

/** Adds (or writes) a contiguous (t1-t0, hs) block back into head `h` of a (B, T, n·hs) array. */
function scatter(
  dst: FloatArray,
  b: number,
  T: number,
  rowWidth: number,
  h: number,
  hs: number,
  t0: number,
  t1: number,
  src: Float32Array,
  add: boolean,
): void {
  for (let t = t0; t < t1; t++) {
    const o = (b * T + t) * rowWidth + h * hs;
    const s = (t - t0) * hs;
    if (add) for (let c = 0; c < hs; c++) dst[o + c] += src[s + c];
    else for (let c = 0; c < hs; c++) dst[o + c] = src[s + c];
  }
}

/** The last key query i may see (inclusive), or -1 when it sees none. */
function visible(d: AttentionDims, i: number): number {
  return d.causal ? d.Tk - d.Tq + i : d.Tk - 1;
}

/** Masks and softmaxes the scores of one block in place, writing each row's log-sum-exp. */
function softmaxBlock(
  S: Float32Array,
  nq: number,
  nk: number,
  i0: number,
  d: AttentionDims,
  b: number,
  lse: FloatArray,
  lseOff: number,
): void {
  for (let r = 0; r < nq; r++) {
    const last = Math.min(visible(d, i0 + r), nk - 1);
    const o = r * nk;
    let m = -Infinity;
    for (let j = 0; j < nk; j++) {
      const blocked = j > last || (d.keyMask !== null && d.keyMask[b * d.Tk + j] === 0);
      const v = blocked ? -Infinity : S[o + j] * d.scale;
      S[o + j] = v;
      if (v > m) m = v;
    }
    let l = 0;
    if (m !== -Infinity) for (let j = 0; j < nk; j++) l += Math.exp(S[o + j] - m);
    const L = l > 0 ? m + Math.log(l) : -Infinity;
    lse[lseOff + r] = L;
    for (let j = 0; j < nk; j++) S[o + j] = L === -Infinity ? 0 : Math.exp(S[o + j] - L);
  }
}

/**
 * Attention for a few queries (a decoding step), straight from the (B, T, n·hs) arrays: per
 * query a row of scores, a softmax, and a weighted sum of value rows. With one query row there
 * is nothing to tile, and gathering every key and value of every head would cost as much as
 * the arithmetic itself.
 */
function directAttentionForward(
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
): void {
  const { B, Tq, Tk, nh, nkv, hs } = d;
  if (Tq <= DIRECT_MAX_TQ) return directAttentionForward(q, k, v, out, lse, d);
  const group = nh / nkv;
  const Kh = new Float32Array(Tk * hs);
  const Vh = new Float32Array(Tk * hs);
  const Qb = new Float32Array(QBLOCK * hs);
  const S = new Float32Array(QBLOCK * Tk);
  const Ob = new Float32Array(QBLOCK * hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      if (h % group === 0) {
        gather(k, b, Tk, nkv * hs, h / group, hs, 0, Tk, Kh);
        gather(v, b, Tk, nkv * hs, h / group, hs, 0, Tk, Vh);
      }
      for (let i0 = 0; i0 < Tq; i0 += QBLOCK) {
        const nq = Math.min(QBLOCK, Tq - i0);
        const nk = Math.min(Tk, visible(d, i0 + nq - 1) + 1); // keys any row of the block can see
        gather(q, b, Tq, nh * hs, h, hs, i0, i0 + nq, Qb);
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
          softmaxBlock(S, nq, nk, i0, d, b, lse, lseOff);
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
        scatter(out, b, Tq, nh * hs, h, hs, i0, i0 + nq, Ob, false);
      }
    }
  }
}

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

/**
 * The Backend attention methods on `gemm` (the wasm backend's own). The tiles are float32, so
 * float64 inputs (gradient checks) go to the row-by-row reference, as other wasm methods do.
 */
export function tiledAttention(gemm: Gemm): Pick<Backend, 'attentionForward' | 'attentionBackward'> {
  const f32 = (...xs: FloatArray[]) => xs.every((x) => x instanceof Float32Array);
  return {
    attentionForward(q, k, v, out, lse, d) {
      if (!f32(q, k, v, out)) return jsBackend.attentionForward(q, k, v, out, lse, d);
      tiledAttentionForward(gemm, q, k, v, out, lse, d);
    },
    attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, d) {
      const tiles = f32(q, k, v, out, dout, dq, dk, dv);
      if (!tiles) return jsBackend.attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, d);
      tiledAttentionBackward(gemm, q, k, v, out, lse, dout, dq, dk, dv, d);
    },
  };
}
