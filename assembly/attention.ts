// The row-wise steps of the tiled attention (src/kernels/wasm/tiled-attention.ts) in f32x4,
// between its matrix products: the masked softmax of a block of scores with each row's
// log-sum-exp saved, the backward's P = exp(S·scale - L) recomputed from it, and
// dS = P ⊙ (dP - rowsum(dO ⊙ O)) · scale. The plain reference each must equal is `jsRows` in
// src/kernels/wasm/tiled-attention-rows.ts.
// A block is nq rows of nk scores (row stride nk). Row r sees keys 0..min(last0 + r·step, nk - 1)
// (step 1 under the causal mask, 0 without), and of those only keys j with mask[j] != 0 when
// mask is not 0. A row that sees no key has P = 0 and L = -Infinity.

import { hmax, hsum } from './simd';
import { exp4, exp1 } from './vmath';

/** How many leading columns row r may see (keys past the causal edge are never read). */
@inline function seen(r: i32, nk: i32, last0: i32, step: i32): i32 {
  return max(0, min(last0 + r * step, nk - 1) + 1);
}

/** Keeps x where the key mask is not 0 and puts `blocked` elsewhere (mask 0: keep all). */
@inline function masked4(x: v128, mask: usize, j: i32, blocked: v128): v128 {
  if (mask == 0) return x;
  const keep = f32x4.ne(v128.load(mask + <usize>j * 4), f32x4.splat(0));
  return v128.bitselect(x, blocked, keep);
}

@inline function masked1(x: f32, mask: usize, j: i32, blocked: f32): f32 {
  return mask == 0 || load<f32>(mask + <usize>j * 4) != 0 ? x : blocked;
}

@inline function zeroFrom(row: usize, j: i32, nk: i32): void {
  for (; j < nk; j++) store<f32>(row + <usize>j * 4, 0);
}

// softmax_j(x) = exp(x_j - m) / l with m = max_k x_k, l = sum_k exp(x_k - m); L = m + log l.
export function attnSoftmaxRows(
  s: usize,
  nq: i32,
  nk: i32,
  last0: i32,
  step: i32,
  mask: usize,
  scale: f32,
  lse: usize,
): void {
  const NEG = f32x4.splat(-Infinity);
  const sv = f32x4.splat(scale);
  for (let r = 0; r < nq; r++) {
    const row = s + <usize>(r * nk) * 4;
    const n = seen(r, nk, last0, step);
    // scale, mask, running max
    let mv = NEG;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const x = masked4(f32x4.mul(v128.load(row + <usize>j * 4), sv), mask, j, NEG);
      v128.store(row + <usize>j * 4, x);
      mv = f32x4.max(mv, x);
    }
    let m = hmax(mv);
    for (; j < n; j++) {
      const x = masked1(load<f32>(row + <usize>j * 4) * scale, mask, j, -Infinity);
      store<f32>(row + <usize>j * 4, x);
      m = max(m, x);
    }
    if (m == -Infinity) {
      store<f32>(lse + <usize>r * 4, -Infinity); // every key blocked: no weight anywhere
      zeroFrom(row, 0, nk);
      continue;
    }
    // e_j = exp(x_j - m) in place, and l = sum of them (>= 1: the max contributes e^0)
    const mm = f32x4.splat(m);
    let lv = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const e = exp4(f32x4.sub(v128.load(row + <usize>j * 4), mm));
      v128.store(row + <usize>j * 4, e);
      lv = f32x4.add(lv, e);
    }
    let l = hsum(lv);
    for (; j < n; j++) {
      const e = exp1(load<f32>(row + <usize>j * 4) - m);
      store<f32>(row + <usize>j * 4, e);
      l += e;
    }
    store<f32>(lse + <usize>r * 4, m + <f32>Math.log(<f64>l));
    const inv: f32 = 1 / l;
    const iv = f32x4.splat(inv);
    j = 0;
    for (; j + 4 <= n; j += 4) v128.store(row + <usize>j * 4, f32x4.mul(v128.load(row + <usize>j * 4), iv));
    for (; j < n; j++) store<f32>(row + <usize>j * 4, load<f32>(row + <usize>j * 4) * inv);
    zeroFrom(row, n, nk);
  }
}

// P_ij = exp(S_ij · scale - L_i) where key j is visible to query i, else 0.
export function attnRecomputeP(
  s: usize,
  nq: i32,
  nk: i32,
  last0: i32,
  step: i32,
  mask: usize,
  scale: f32,
  lse: usize,
): void {
  const ZERO = f32x4.splat(0);
  const sv = f32x4.splat(scale);
  for (let r = 0; r < nq; r++) {
    const row = s + <usize>(r * nk) * 4;
    const L = load<f32>(lse + <usize>r * 4);
    const n = L == -Infinity ? 0 : seen(r, nk, last0, step);
    const lv = f32x4.splat(L);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = exp4(f32x4.sub(f32x4.mul(v128.load(row + <usize>j * 4), sv), lv));
      v128.store(row + <usize>j * 4, masked4(p, mask, j, ZERO));
    }
    for (; j < n; j++) {
      const p = exp1(load<f32>(row + <usize>j * 4) * scale - L);
      store<f32>(row + <usize>j * 4, masked1(p, mask, j, 0));
    }
    zeroFrom(row, n, nk);
  }
}

// dS_ij = P_ij (dP_ij - D_i) · scale with D_i = sum_c dO_ic O_ic, the softmax backward
// (d/dx_j softmax_i = P_i (δ_ij - P_j)) folded with the score scale; dS holds dP on entry.
export function attnGradScores(p: usize, ds: usize, nq: i32, nk: i32, dout: usize, o: usize, hs: i32, scale: f32): void {
  const sv = f32x4.splat(scale);
  for (let r = 0; r < nq; r++) {
    const dor = dout + <usize>(r * hs) * 4;
    const orow = o + <usize>(r * hs) * 4;
    let dv = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= hs; c += 4) dv = f32x4.add(dv, f32x4.mul(v128.load(dor + <usize>c * 4), v128.load(orow + <usize>c * 4)));
    let D = hsum(dv);
    for (; c < hs; c++) D += load<f32>(dor + <usize>c * 4) * load<f32>(orow + <usize>c * 4);
    const Dv = f32x4.splat(D);
    const pr = p + <usize>(r * nk) * 4;
    const dr = ds + <usize>(r * nk) * 4;
    let j = 0;
    for (; j + 4 <= nk; j += 4) {
      const g = f32x4.mul(f32x4.sub(v128.load(dr + <usize>j * 4), Dv), sv);
      v128.store(dr + <usize>j * 4, f32x4.mul(v128.load(pr + <usize>j * 4), g));
    }
    for (; j < nk; j++) {
      store<f32>(dr + <usize>j * 4, load<f32>(pr + <usize>j * 4) * ((load<f32>(dr + <usize>j * 4) - D) * scale));
    }
  }
}

// One head's rows between a (B, T, n·hs) array and a contiguous (rows, hs) tile: `rows` rows of
// hs floats, `stride` floats apart in the strided array.
export function attnGather(src: usize, stride: i32, hs: i32, rows: i32, dst: usize): void {
  for (let t = 0; t < rows; t++) {
    memory.copy(dst + <usize>(t * hs) * 4, src + <usize>(t * stride) * 4, <usize>hs * 4);
  }
}

/** Writes the tile back (add 0) or adds it (add 1) into the strided rows. */
export function attnScatter(dst: usize, stride: i32, hs: i32, rows: i32, src: usize, add: i32): void {
  if (add == 0) {
    for (let t = 0; t < rows; t++) {
      memory.copy(dst + <usize>(t * stride) * 4, src + <usize>(t * hs) * 4, <usize>hs * 4);
    }
    return;
  }
  for (let t = 0; t < rows; t++) {
    const d = dst + <usize>(t * stride) * 4;
    const s = src + <usize>(t * hs) * 4;
    let c = 0;
    for (; c + 4 <= hs; c += 4) {
      v128.store(d + <usize>c * 4, f32x4.add(v128.load(d + <usize>c * 4), v128.load(s + <usize>c * 4)));
    }
    for (; c < hs; c++) store<f32>(d + <usize>c * 4, load<f32>(d + <usize>c * 4) + load<f32>(s + <usize>c * 4));
  }
}
