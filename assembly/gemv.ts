// Matrix multiply for a few rows of A (M ≤ ~4: one token per sequence during generation), without
// packing. Packing B costs O(K·N) per call and pays off only when each packed value is reused for
// many rows of A; with one row it doubles the memory traffic. Two layouts, both streaming B in
// the order it is stored:
//   gemvT: B stored (N, K) (a Linear weight, out × in): each C(i, j) is a dot product of two
//          contiguous rows, A row i and B row j, one j at a time, 16 floats per step.
// Generation reads every weight once per token from memory, not cache, so what limits it is how
// fast one core streams memory, and that depends on the order of the reads: B read as ONE
// sequential stream (row after row) ran at 33-35 GB/s here on gpt2's weights, where 2, 4 or 8 rows
// read side by side (fewer loads of A, but as many streams) ran at 15-18. A weight that sits in
// cache goes the other way (fewer loads win): gemvT4 reads four rows side by side, for small ones.
//   gemvN: B stored (K, N): C row i = Σ_k A(i, k) · B row k, an axpy over B's rows, 16 columns of
//          C held in four f32x4 accumulators while k runs.

import { madd, hsum } from './simd';

/** C (M×N, row stride ldc) (+)= A (M×K, rows contiguous, stride lda) · Bᵀ with B (N×K, stride ldb). */
export function gemvT(M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool): void {
  for (let i = 0; i < M; i++) {
    const ai = a + <usize>(i * lda) * 4;
    const ci = c + <usize>(i * ldc) * 4;
    for (let j = 0; j < N; j++) dot1(ai, b + <usize>(j * ldb) * 4, K, ci + <usize>j * 4, accumulate);
  }
}

// One output of gemvT, C(i, j) = A row i · B row j: products k ≡ r (mod 16) into 4-lane sums
// s_{r/4}, the rest of K4 into s0, then (s0 + s1) + (s2 + s3), its lanes, the last K % 4 products,
// and C's old value when accumulating.
@inline function dot1(ai: usize, b0: usize, K: i32, cj: usize, accumulate: bool): void {
  const K16 = K & ~15, K4 = K & ~3;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let k = 0;
  for (; k < K16; k += 16) {
    const o = <usize>k * 4;
    s0 = madd(v128.load(ai + o), v128.load(b0 + o), s0);
    s1 = madd(v128.load(ai + o, 16), v128.load(b0 + o, 16), s1);
    s2 = madd(v128.load(ai + o, 32), v128.load(b0 + o, 32), s2);
    s3 = madd(v128.load(ai + o, 48), v128.load(b0 + o, 48), s3);
  }
  for (; k < K4; k += 4) s0 = madd(v128.load(ai + <usize>k * 4), v128.load(b0 + <usize>k * 4), s0);
  finish(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), ai, b0, K4, K, cj, accumulate);
}

/**
 * gemvT for a weight that sits in cache (small models): four rows of B side by side, one load
 * of A for four weights. Same arguments and result as gemvT, another summation order.
 */
export function gemvT4(M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool): void {
  const K4 = K & ~3;
  for (let i = 0; i < M; i++) {
    const ai = a + <usize>(i * lda) * 4;
    const ci = c + <usize>(i * ldc) * 4;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = b + <usize>(j * ldb) * 4;
      const b1 = b0 + <usize>ldb * 4;
      const b2 = b1 + <usize>ldb * 4;
      const b3 = b2 + <usize>ldb * 4;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k * 4;
        const x = v128.load(ai + o);
        s0 = madd(x, v128.load(b0 + o), s0);
        s1 = madd(x, v128.load(b1 + o), s1);
        s2 = madd(x, v128.load(b2 + o), s2);
        s3 = madd(x, v128.load(b3 + o), s3);
      }
      let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3);
      for (let k = K4; k < K; k++) {
        const o = <usize>k * 4;
        const x = load<f32>(ai + o);
        d0 += x * load<f32>(b0 + o);
        d1 += x * load<f32>(b1 + o);
        d2 += x * load<f32>(b2 + o);
        d3 += x * load<f32>(b3 + o);
      }
      const cj = ci + <usize>j * 4;
      if (accumulate) {
        d0 += load<f32>(cj); d1 += load<f32>(cj, 4); d2 += load<f32>(cj, 8); d3 += load<f32>(cj, 12);
      }
      store<f32>(cj, d0); store<f32>(cj, d1, 4); store<f32>(cj, d2, 8); store<f32>(cj, d3, 12);
    }
    for (; j < N; j++) {
      const bj = b + <usize>(j * ldb) * 4;
      let s = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) s = madd(v128.load(ai + <usize>k * 4), v128.load(bj + <usize>k * 4), s);
      let d = hsum(s);
      for (let k = K4; k < K; k++) d += load<f32>(ai + <usize>k * 4) * load<f32>(bj + <usize>k * 4);
      const cj = ci + <usize>j * 4;
      store<f32>(cj, accumulate ? load<f32>(cj) + d : d);
    }
  }
}

/**
 * C (M×N, row stride ldc) (+)= op(A) · B with op(A)(i, k) at a + 4 (i rsA + k csA) and B (K×N,
 * rows contiguous, stride ldb).
 */
export function gemvN(M: i32, N: i32, K: i32, a: usize, rsA: i32, csA: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool): void {
  for (let i = 0; i < M; i++) {
    const ai = a + <usize>(i * rsA) * 4;
    const ci = c + <usize>(i * ldc) * 4;
    let j = 0;
    for (; j + 16 <= N; j += 16) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let bk = b + <usize>j * 4;
      for (let k = 0; k < K; k++) {
        const x = v128.load32_splat(ai + <usize>(k * csA) * 4);
        s0 = madd(x, v128.load(bk), s0);
        s1 = madd(x, v128.load(bk, 16), s1);
        s2 = madd(x, v128.load(bk, 32), s2);
        s3 = madd(x, v128.load(bk, 48), s3);
        bk += <usize>ldb * 4;
      }
      const cj = ci + <usize>j * 4;
      if (accumulate) {
        s0 = f32x4.add(s0, v128.load(cj)); s1 = f32x4.add(s1, v128.load(cj, 16));
        s2 = f32x4.add(s2, v128.load(cj, 32)); s3 = f32x4.add(s3, v128.load(cj, 48));
      }
      v128.store(cj, s0); v128.store(cj, s1, 16); v128.store(cj, s2, 32); v128.store(cj, s3, 48);
    }
    for (; j + 4 <= N; j += 4) {
      let s = f32x4.splat(0);
      let bk = b + <usize>j * 4;
      for (let k = 0; k < K; k++) {
        s = madd(v128.load32_splat(ai + <usize>(k * csA) * 4), v128.load(bk), s);
        bk += <usize>ldb * 4;
      }
      const cj = ci + <usize>j * 4;
      v128.store(cj, accumulate ? f32x4.add(s, v128.load(cj)) : s);
    }
    for (; j < N; j++) {
      let d: f32 = 0;
      for (let k = 0; k < K; k++) d += load<f32>(ai + <usize>(k * csA) * 4) * load<f32>(b + <usize>(k * ldb + j) * 4);
      const cj = ci + <usize>j * 4;
      store<f32>(cj, accumulate ? load<f32>(cj) + d : d);
    }
  }
}

// One output of gemvT from its SIMD partial sums: the lanes summed, the last K % 4 products
// added, then C's old value when accumulating.
@inline function finish(s: v128, ai: usize, br: usize, K4: i32, K: i32, cj: usize, accumulate: bool): void {
  let d = hsum(s);
  for (let k = K4; k < K; k++) d += load<f32>(ai + <usize>k * 4) * load<f32>(br + <usize>k * 4);
  if (accumulate) d += load<f32>(cj);
  store<f32>(cj, d);
}
