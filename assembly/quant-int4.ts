// Products with an int4 weight, y = x Ŵᵀ, reading the packed codes (src/quant/int4.ts: two 4-bit
// codes per byte, low nibble first; one scale s and optional zero point z per group of G along a
// row; z = 8 when symmetric) and dequantizing them in registers:
//   y(i, j) = Σ_g s_jg · Σ_{k in g} x(i, k) (q(j, k) - z_jg)
// The int8 kernels and the shared notes are in quant.ts; this is the same scheme with nibbles.

import { madd, hsum } from './simd';
import { rowPtr } from './quant';
// 16 int4 codes from 8 packed bytes (low nibble first), minus the zero point, as i8x16 in order.
@inline function nibbles16(p: usize, z: v128): v128 {
  const bytes = v128.load64_zero(p);
  const lo = v128.and(bytes, i8x16.splat(15));
  const hi = i8x16.shr_u(bytes, 4);
  const codes = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  return i8x16.sub(codes, z);
}

@inline function zeroOf(z: usize, at: usize): v128 {
  return i8x16.splat(z ? <i8>load<u8>(z + at) : 8);
}

// One row of x against int4 weight rows j0..j1; G a multiple of 16.
function int4Row1(K: i32, G: i32, x: usize, p: usize, s: usize, z: usize, y: usize, j0: i32, j1: i32): void {
  const ng = K / G;
  for (let j = j0; j < j1; j++) {
    const pj = p + (<usize>j * <usize>K) / 2;
    const gj = <usize>j * <usize>ng;
    let t = f32x4.splat(0);
    for (let g = 0; g < ng; g++) {
      const zv = zeroOf(z, gj + g);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let k = g * G, end = k + G; k < end; k += 16) {
        const c = nibbles16(pj + <usize>(k >> 1), zv);
        const lo = i16x8.extend_low_i8x16_s(c);
        const hi = i16x8.extend_high_i8x16_s(c);
        const xk = x + <usize>k * 4;
        a0 = madd(v128.load(xk), f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), a0);
        a1 = madd(v128.load(xk, 16), f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), a1);
        a2 = madd(v128.load(xk, 32), f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), a2);
        a3 = madd(v128.load(xk, 48), f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), a3);
      }
      const sg = f32x4.splat(load<f32>(s + (gj + g) * 4));
      t = madd(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), sg, t);
    }
    store<f32>(y + <usize>j * 4, hsum(t));
  }
}

// Four rows of x against int4 weight rows j0..j1; G a multiple of 16.
function int4Row4(K: i32, G: i32, x: usize, ldx: i32, M: i32, p: usize, s: usize, z: usize, y: usize, ldy: i32, j0: i32, j1: i32): void {
  const ng = K / G;
  const x0 = rowPtr(x, 0, M, ldx), x1 = rowPtr(x, 1, M, ldx), x2 = rowPtr(x, 2, M, ldx), x3 = rowPtr(x, 3, M, ldx);
  for (let j = j0; j < j1; j++) {
    const pj = p + (<usize>j * <usize>K) / 2;
    const gj = <usize>j * <usize>ng;
    let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
    for (let g = 0; g < ng; g++) {
      const zv = zeroOf(z, gj + g);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let k = g * G, end = k + G; k < end; k += 16) {
        const c = nibbles16(pj + <usize>(k >> 1), zv);
        const lo = i16x8.extend_low_i8x16_s(c);
        const hi = i16x8.extend_high_i8x16_s(c);
        const w0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo));
        const w1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo));
        const w2 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi));
        const w3 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi));
        const o = <usize>k * 4;
        a0 = madd(v128.load(x0 + o), w0, madd(v128.load(x0 + o, 16), w1, a0));
        a0 = madd(v128.load(x0 + o, 32), w2, madd(v128.load(x0 + o, 48), w3, a0));
        a1 = madd(v128.load(x1 + o), w0, madd(v128.load(x1 + o, 16), w1, a1));
        a1 = madd(v128.load(x1 + o, 32), w2, madd(v128.load(x1 + o, 48), w3, a1));
        a2 = madd(v128.load(x2 + o), w0, madd(v128.load(x2 + o, 16), w1, a2));
        a2 = madd(v128.load(x2 + o, 32), w2, madd(v128.load(x2 + o, 48), w3, a2));
        a3 = madd(v128.load(x3 + o), w0, madd(v128.load(x3 + o, 16), w1, a3));
        a3 = madd(v128.load(x3 + o, 32), w2, madd(v128.load(x3 + o, 48), w3, a3));
      }
      const sg = f32x4.splat(load<f32>(s + (gj + g) * 4));
      t0 = madd(a0, sg, t0); t1 = madd(a1, sg, t1); t2 = madd(a2, sg, t2); t3 = madd(a3, sg, t3);
    }
    const o = <usize>j * 4;
    store<f32>(rowPtr(y, 3, M, ldy) + o, hsum(t3)); store<f32>(rowPtr(y, 2, M, ldy) + o, hsum(t2));
    store<f32>(rowPtr(y, 1, M, ldy) + o, hsum(t1)); store<f32>(rowPtr(y, 0, M, ldy) + o, hsum(t0));
  }
}

// With G a multiple of 32 a 16-byte load holds 32 codes of one group: its low nibbles are the codes
// at even k, its high nibbles those at odd k. Rather than interleave the codes back into order
// (a shuffle per 16 codes, for every weight row), x is reordered once per call to match
// (int4SplitX): within each block of 32, x at even k first, then x at odd k.

/** xs (M×K, rows contiguous) = x with each block of 32 reordered as [x at even k, x at odd k]. */
export function int4SplitX(M: i32, K: i32, x: usize, ldx: i32, xs: usize): void {
  for (let i = 0; i < M; i++) {
    const xi = x + <usize>(i * ldx) * 4;
    const oi = xs + <usize>(i * K) * 4;
    for (let b = 0; b < K; b += 32)
      for (let t = 0; t < 16; t++) {
        store<f32>(oi + <usize>(b + t) * 4, load<f32>(xi + <usize>(b + 2 * t) * 4));
        store<f32>(oi + <usize>(b + 16 + t) * 4, load<f32>(xi + <usize>(b + 2 * t + 1) * 4));
      }
  }
}

// acc += the 16 codes c (i8x16, zero point already subtracted) · x at xk (16 floats).
@inline function dot16(c: v128, xk: usize, acc: v128): v128 {
  const lo = i16x8.extend_low_i8x16_s(c);
  const hi = i16x8.extend_high_i8x16_s(c);
  acc = madd(v128.load(xk), f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), acc);
  acc = madd(v128.load(xk, 16), f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), acc);
  acc = madd(v128.load(xk, 32), f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), acc);
  return madd(v128.load(xk, 48), f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), acc);
}

// One row of split x against int4 weight rows j0..j1; G a multiple of 32.
function int4Split1(K: i32, G: i32, xs: usize, p: usize, s: usize, z: usize, y: usize, j0: i32, j1: i32): void {
  const ng = K / G;
  const m = i8x16.splat(15);
  for (let j = j0; j < j1; j++) {
    const pj = p + (<usize>j * <usize>K) / 2;
    const gj = <usize>j * <usize>ng;
    let t = f32x4.splat(0);
    for (let g = 0; g < ng; g++) {
      const zv = zeroOf(z, gj + g);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      for (let k = g * G, end = k + G; k < end; k += 32) {
        const bytes = v128.load(pj + <usize>(k >> 1));
        const even = i8x16.sub(v128.and(bytes, m), zv);
        const odd = i8x16.sub(v128.and(i16x8.shr_u(bytes, 4), m), zv);
        const xk = xs + <usize>k * 4;
        a0 = dot16(even, xk, a0);
        a1 = dot16(odd, xk + 64, a1);
      }
      t = madd(f32x4.add(a0, a1), f32x4.splat(load<f32>(s + (gj + g) * 4)), t);
    }
    store<f32>(y + <usize>j * 4, hsum(t));
  }
}

// Four rows of split x (rows K apart; past M clamped) against int4 rows j0..j1; G a multiple of 32.
function int4Split4(K: i32, G: i32, xs: usize, M: i32, p: usize, s: usize, z: usize, y: usize, ldy: i32, j0: i32, j1: i32): void {
  const ng = K / G;
  const m = i8x16.splat(15);
  const x0 = rowPtr(xs, 0, M, K), x1 = rowPtr(xs, 1, M, K), x2 = rowPtr(xs, 2, M, K), x3 = rowPtr(xs, 3, M, K);
  for (let j = j0; j < j1; j++) {
    const pj = p + (<usize>j * <usize>K) / 2;
    const gj = <usize>j * <usize>ng;
    let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
    for (let g = 0; g < ng; g++) {
      const zv = zeroOf(z, gj + g);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let k = g * G, end = k + G; k < end; k += 32) {
        const bytes = v128.load(pj + <usize>(k >> 1));
        const o = <usize>k * 4;
        for (let h = 0; h < 2; h++) {
          const c = h ? i8x16.sub(v128.and(i16x8.shr_u(bytes, 4), m), zv) : i8x16.sub(v128.and(bytes, m), zv);
          const ho = o + <usize>h * 64;
          const lo = i16x8.extend_low_i8x16_s(c);
          const hi = i16x8.extend_high_i8x16_s(c);
          const w0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo));
          const w1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo));
          const w2 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi));
          const w3 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi));
          a0 = madd(v128.load(x0 + ho), w0, madd(v128.load(x0 + ho, 16), w1, a0));
          a0 = madd(v128.load(x0 + ho, 32), w2, madd(v128.load(x0 + ho, 48), w3, a0));
          a1 = madd(v128.load(x1 + ho), w0, madd(v128.load(x1 + ho, 16), w1, a1));
          a1 = madd(v128.load(x1 + ho, 32), w2, madd(v128.load(x1 + ho, 48), w3, a1));
          a2 = madd(v128.load(x2 + ho), w0, madd(v128.load(x2 + ho, 16), w1, a2));
          a2 = madd(v128.load(x2 + ho, 32), w2, madd(v128.load(x2 + ho, 48), w3, a2));
          a3 = madd(v128.load(x3 + ho), w0, madd(v128.load(x3 + ho, 16), w1, a3));
          a3 = madd(v128.load(x3 + ho, 32), w2, madd(v128.load(x3 + ho, 48), w3, a3));
        }
      }
      const sg = f32x4.splat(load<f32>(s + (gj + g) * 4));
      t0 = madd(a0, sg, t0); t1 = madd(a1, sg, t1); t2 = madd(a2, sg, t2); t3 = madd(a3, sg, t3);
    }
    const o = <usize>j * 4;
    store<f32>(rowPtr(y, 3, M, ldy) + o, hsum(t3)); store<f32>(rowPtr(y, 2, M, ldy) + o, hsum(t2));
    store<f32>(rowPtr(y, 1, M, ldy) + o, hsum(t1)); store<f32>(rowPtr(y, 0, M, ldy) + o, hsum(t0));
  }
}

/**
 * y (M×N, row stride ldy) = x (M×K, row stride ldx) · Ŵᵀ for weight rows j0..j1, Ŵ an int4 matrix
 * (N×K, G | K and 16 | G) packed at p, scales (N×K/G) at s, zero points (bytes, same shape) at z
 * or z = 0 for symmetric codes (offset 8). When 32 | G, x must be split (int4SplitX, ldx = K).
 */
export function qgemmInt4(M: i32, K: i32, G: i32, x: usize, ldx: i32, p: usize, s: usize, z: usize, y: usize, ldy: i32, j0: i32, j1: i32): void {
  const split = G % 32 === 0;
  for (let i = 0; i < M; i += 4) {
    const xi = x + <usize>(i * ldx) * 4;
    const yi = y + <usize>(i * ldy) * 4;
    if (split) {
      if (M - i === 1) int4Split1(K, G, xi, p, s, z, yi, j0, j1);
      else int4Split4(K, G, xi, min(4, M - i), p, s, z, yi, ldy, j0, j1);
    } else if (M - i === 1) int4Row1(K, G, xi, p, s, z, yi, j0, j1);
    else int4Row4(K, G, xi, ldx, min(4, M - i), p, s, z, yi, ldy, j0, j1);
  }
}

/** Ŵ (N×K) as f32 at out, for products with many rows of x (prefill) that reuse the float gemm. */
