// The row-wise steps of the tiled attention, between its matrix products: the masked softmax of a
// block of scores (each row's log-sum-exp saved), the backward's P = exp(S·scale - L) recomputed
// from it, dS = P ⊙ (dP - rowsum(dO ⊙ O)) · scale, and copying one head's rows into and out of
// the tiles. `jsRows` is the plain reference; `wasmRows` runs the same steps in
// assembly/attention.ts, on tiles that live in wasm memory, so neither the steps nor the gemm
// between them copy anything.

import type { FloatArray } from '../dtype.js';
import type { AttentionDims } from '../backend.js';
import { QBLOCK, gather, scatter, visible } from './attention-tiles.js';
import { HeapFull, type WasmHeap } from './heap.js';
import type { KernelExports } from './module.js';

/**
 * The tiles of one attention call (float32 blocks of the sizes asked for) and the row-wise steps.
 * Every Float32Array a step takes (and gather's dst, scatter's src) must be one of these tiles:
 * the wasm steps pass them by address. A block is rows i0..i0+nq-1 of batch row b against keys
 * 0..nk-1.
 */
export interface TileSession {
  readonly tiles: Float32Array[];
  /** Masks, scales and softmaxes S (nq, nk) in place; lse[lseOff + r] = row r's log-sum-exp. */
  softmax(
    S: Float32Array,
    nq: number,
    nk: number,
    i0: number,
    b: number,
    lse: FloatArray,
    lseOff: number,
  ): void;
  /** Turns the scores S (nq, nk) into P = exp(S·scale - lse), zero where masked. */
  recomputeP(
    S: Float32Array,
    nq: number,
    nk: number,
    i0: number,
    b: number,
    lse: FloatArray,
    lseOff: number,
  ): void;
  /** dS (nq, nk), holding dP = dO Vᵀ on entry, becomes P ⊙ (dP - rowsum(dO ⊙ O)) · scale. */
  gradScores(
    P: Float32Array,
    dS: Float32Array,
    nq: number,
    nk: number,
    dOb: Float32Array,
    Ob: Float32Array,
  ): void;
  /** attention-tiles.ts `gather` into a tile: head h of rows t0..t1-1 of a (B, T, rowWidth) array. */
  gather: typeof gather;
  /** attention-tiles.ts `scatter` from a tile: writes (or adds) it back into head h of those rows. */
  scatter: typeof scatter;
  /** Gives the tiles back; none may be used afterwards. */
  close(): void;
}

/** Opens a session with tiles of `sizes` floats for one attention call with dims `d`. */
export type RowSteps = (sizes: number[], d: AttentionDims) => TileSession;

/** Whether key j is hidden from query i0 + r: past the causal edge or padding. */
function blocked(d: AttentionDims, b: number, i0: number, r: number, nk: number, j: number): boolean {
  return j > Math.min(visible(d, i0 + r), nk - 1) || (d.keyMask !== null && d.keyMask[b * d.Tk + j] === 0);
}

/** The reference: plain loops, exp and log in float64. */
export const jsRows: RowSteps = (sizes, d) => ({
  tiles: sizes.map((n) => new Float32Array(n)),
  softmax(S, nq, nk, i0, b, lse, lseOff) {
    for (let r = 0; r < nq; r++) {
      const o = r * nk;
      let m = -Infinity;
      for (let j = 0; j < nk; j++) {
        const v = blocked(d, b, i0, r, nk, j) ? -Infinity : S[o + j] * d.scale;
        S[o + j] = v;
        if (v > m) m = v;
      }
      let l = 0;
      if (m !== -Infinity) for (let j = 0; j < nk; j++) l += Math.exp(S[o + j] - m);
      const L = l > 0 ? m + Math.log(l) : -Infinity;
      lse[lseOff + r] = L;
      for (let j = 0; j < nk; j++) S[o + j] = L === -Infinity ? 0 : Math.exp(S[o + j] - L);
    }
  },
  recomputeP(S, nq, nk, i0, b, lse, lseOff) {
    for (let r = 0; r < nq; r++) {
      const L = lse[lseOff + r];
      for (let j = 0; j < nk; j++) {
        const hidden = L === -Infinity || blocked(d, b, i0, r, nk, j);
        S[r * nk + j] = hidden ? 0 : Math.exp(S[r * nk + j] * d.scale - L);
      }
    }
  },
  gradScores(P, dS, nq, nk, dOb, Ob) {
    const hs = d.hs;
    for (let r = 0; r < nq; r++) {
      let D = 0;
      for (let c = 0; c < hs; c++) D += dOb[r * hs + c] * Ob[r * hs + c];
      for (let j = 0; j < nk; j++) dS[r * nk + j] = P[r * nk + j] * (dS[r * nk + j] - D) * d.scale;
    }
  },
  gather,
  scatter,
  close() {},
});

/**
 * The steps on the wasm kernels. All tiles, a float32 log-sum-exp block and one batch row of the
 * key mask are cut from the heap at once (so nothing grows the memory while views of it are in
 * use); when it cannot hold them the reference session serves instead.
 */
export function wasmRows(heap: WasmHeap, k: KernelExports): RowSteps {
  return (sizes, d) => {
    const total = sizes.reduce((s, n) => s + n, 0) + QBLOCK + d.Tk;
    const mark = heap.mark();
    let base: number;
    try {
      base = heap.alloc(total * 4);
    } catch (err) {
      heap.release(mark);
      if (err instanceof HeapFull) return jsRows(sizes, d);
      throw err;
    }
    const tiles: Float32Array[] = [];
    let at = base;
    for (const n of sizes) {
      tiles.push(heap.f32(at, n));
      at += n * 4;
    }
    const lseBlock = heap.f32(at, QBLOCK);
    const maskRow = heap.f32(at + QBLOCK * 4, d.Tk);
    let maskOf = -1; // the batch row maskRow holds
    const maskPtr = (b: number): number => {
      if (d.keyMask === null) return 0;
      if (maskOf !== b) maskRow.set(d.keyMask.subarray(b * d.Tk, (b + 1) * d.Tk));
      maskOf = b;
      return maskRow.byteOffset;
    };
    const step = d.causal ? 1 : 0;
    return {
      tiles,
      softmax(S, nq, nk, i0, b, lse, lseOff) {
        k.attnSoftmaxRows(
          S.byteOffset,
          nq,
          nk,
          visible(d, i0),
          step,
          maskPtr(b),
          d.scale,
          lseBlock.byteOffset,
        );
        for (let r = 0; r < nq; r++) lse[lseOff + r] = lseBlock[r];
      },
      recomputeP(S, nq, nk, i0, b, lse, lseOff) {
        for (let r = 0; r < nq; r++) lseBlock[r] = lse[lseOff + r];
        k.attnRecomputeP(
          S.byteOffset,
          nq,
          nk,
          visible(d, i0),
          step,
          maskPtr(b),
          d.scale,
          lseBlock.byteOffset,
        );
      },
      gradScores(P, dS, nq, nk, dOb, Ob) {
        k.attnGradScores(P.byteOffset, dS.byteOffset, nq, nk, dOb.byteOffset, Ob.byteOffset, d.hs, d.scale);
      },
      // in place when the (B, T, n·hs) array lives in wasm memory too (zero-copy arena buffers)
      gather(src, b, T, rowWidth, h, hs, t0, t1, dst) {
        if (!heap.owns(src)) return gather(src, b, T, rowWidth, h, hs, t0, t1, dst);
        const at = src.byteOffset + ((b * T + t0) * rowWidth + h * hs) * 4;
        k.attnGather(at, rowWidth, hs, t1 - t0, dst.byteOffset);
      },
      scatter(dst, b, T, rowWidth, h, hs, t0, t1, src, add) {
        if (!heap.owns(dst)) return scatter(dst, b, T, rowWidth, h, hs, t0, t1, src, add);
        const at = dst.byteOffset + ((b * T + t0) * rowWidth + h * hs) * 4;
        k.attnScatter(at, rowWidth, hs, t1 - t0, src.byteOffset, add ? 1 : 0);
      },
      close: () => heap.release(mark),
    };
  };
}
