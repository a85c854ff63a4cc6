// Products with a quantized weight, y = x Ŵᵀ, reading the integer codes directly and dequantizing
// them in registers (the weight is never made in float). Layouts are src/quant/int8.ts (one int8
// per weight, one scale per row) and src/quant/int4.ts (two 4-bit codes per byte, low nibble first,
// one scale and optional zero point per group of G weights along a row). Since a scale is constant
// over a row (int8) or a group (int4), it multiplies the dot product of x with the raw codes:
//   int8:  y(i, j) = s_j · Σ_k x(i, k) q(j, k)
//   int4:  y(i, j) = Σ_g s_jg · Σ_{k in g} x(i, k) (q(j, k) - z_jg)      (z = 8 when symmetric)
// equal to dequantize-then-multiply up to float rounding. Decode (a few rows of x) is memory bound in
// f32; int8 streams 4x fewer bytes, int4 8x, and the widening below becomes the limit instead
// (about 7e9 weights/s on one core, bench/quant.ts). Up to 4 rows of x share each converted code.
// Widening: i8x16 -> two i16x8 -> four i32x4 -> four f32x4 (exact: every code is a small integer).
// The int8 kernels and the dequantization used for prefill are here; int4 in quant-int4.ts, the
// opt-in product with x quantized too in quant-q8.ts.

import { madd, hsum } from './simd';

// y row i = x row i · Ŵᵀ for i < 4, rows past M clamped onto the last one (same values, same place).
export function rowPtr(base: usize, i: i32, M: i32, ld: i32): usize {
  return base + <usize>(min(i, M - 1) * ld) * 4;
}

// One row of x against int8 weight rows j0..j1: four accumulators over 16 codes at a time.
function int8Row1(K: i32, x: usize, q: usize, s: usize, y: usize, j0: i32, j1: i32): void {
  const K16 = K & ~15;
  for (let j = j0; j < j1; j++) {
    const qj = q + <usize>j * <usize>K;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let k = 0; k < K16; k += 16) {
      const lo = v128.load8x8_s(qj + <usize>k); // codes k..k+7 as i16x8
      const hi = v128.load8x8_s(qj + <usize>k, 8);
      const xk = x + <usize>k * 4;
      a0 = madd(v128.load(xk), f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), a0);
      a1 = madd(v128.load(xk, 16), f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), a1);
      a2 = madd(v128.load(xk, 32), f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), a2);
      a3 = madd(v128.load(xk, 48), f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), a3);
    }
    let d = hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    for (let k = K16; k < K; k++) d += load<f32>(x + <usize>k * 4) * <f32>load<i8>(qj + <usize>k);
    store<f32>(y + <usize>j * 4, d * load<f32>(s + <usize>j * 4));
  }
}

// Four rows of x against int8 weight rows j0..j1: each converted code vector feeds four rows.
function int8Row4(K: i32, x: usize, ldx: i32, M: i32, q: usize, s: usize, y: usize, ldy: i32, j0: i32, j1: i32): void {
  const K8 = K & ~7;
  const x0 = rowPtr(x, 0, M, ldx), x1 = rowPtr(x, 1, M, ldx), x2 = rowPtr(x, 2, M, ldx), x3 = rowPtr(x, 3, M, ldx);
  for (let j = j0; j < j1; j++) {
    const qj = q + <usize>j * <usize>K;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
    for (let k = 0; k < K8; k += 8) {
      const c = v128.load8x8_s(qj + <usize>k);
      const wl = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(c));
      const wh = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(c));
      const o = <usize>k * 4;
      a0 = madd(v128.load(x0 + o), wl, a0); b0 = madd(v128.load(x0 + o, 16), wh, b0);
      a1 = madd(v128.load(x1 + o), wl, a1); b1 = madd(v128.load(x1 + o, 16), wh, b1);
      a2 = madd(v128.load(x2 + o), wl, a2); b2 = madd(v128.load(x2 + o, 16), wh, b2);
      a3 = madd(v128.load(x3 + o), wl, a3); b3 = madd(v128.load(x3 + o, 16), wh, b3);
    }
    let d0 = hsum(f32x4.add(a0, b0)), d1 = hsum(f32x4.add(a1, b1));
    let d2 = hsum(f32x4.add(a2, b2)), d3 = hsum(f32x4.add(a3, b3));
    for (let k = K8; k < K; k++) {
      const w = <f32>load<i8>(qj + <usize>k);
      const o = <usize>k * 4;
      d0 += load<f32>(x0 + o) * w; d1 += load<f32>(x1 + o) * w;
      d2 += load<f32>(x2 + o) * w; d3 += load<f32>(x3 + o) * w;
    }
    const sj = load<f32>(s + <usize>j * 4);
    const o = <usize>j * 4;
    store<f32>(rowPtr(y, 3, M, ldy) + o, d3 * sj); store<f32>(rowPtr(y, 2, M, ldy) + o, d2 * sj);
    store<f32>(rowPtr(y, 1, M, ldy) + o, d1 * sj); store<f32>(rowPtr(y, 0, M, ldy) + o, d0 * sj);
  }
}

/**
 * y (M×N, row stride ldy) = x (M×K, row stride ldx) · Ŵᵀ for weight rows j0..j1 only (a thread's
 * slab of columns), Ŵ an int8 matrix (N×K) at q with scales (N) at s.
 */
export function qgemmInt8(M: i32, K: i32, x: usize, ldx: i32, q: usize, s: usize, y: usize, ldy: i32, j0: i32, j1: i32): void {
  for (let i = 0; i < M; i += 4) {
    const xi = x + <usize>(i * ldx) * 4;
    const yi = y + <usize>(i * ldy) * 4;
    if (M - i === 1) int8Row1(K, xi, q, s, yi, j0, j1);
    else int8Row4(K, xi, ldx, min(4, M - i), q, s, yi, ldy, j0, j1);
  }
}

export function dequantInt8(N: i32, K: i32, q: usize, s: usize, out: usize): void {
  for (let j = 0; j < N; j++) {
    const sj = load<f32>(s + <usize>j * 4);
    const qj = q + <usize>j * <usize>K;
    const oj = out + <usize>j * <usize>K * 4;
    for (let k = 0; k < K; k++) store<f32>(oj + <usize>k * 4, sj * <f32>load<i8>(qj + <usize>k));
  }
}

/** Ŵ (N×K) of an int4 matrix (any G dividing K) as f32 at out; z = 0 for symmetric codes. */
export function dequantInt4(N: i32, K: i32, G: i32, p: usize, s: usize, z: usize, out: usize): void {
  const n = <usize>N * <usize>K;
  for (let i: usize = 0; i < n; i++) {
    const g = i / <usize>G;
    const code = <i32>((<u32>load<u8>(p + (i >> 1)) >> (<u32>(i & 1) << 2)) & 15);
    const zero = z ? <i32>load<u8>(z + g) : 8;
    store<f32>(out + i * 4, load<f32>(s + g * 4) * <f32>(code - zero));
  }
}
