// Teaching kernels for docs/10-making-it-fast.md: the steps from the plain loop to gemm.ts, each
// C (M×N) = A (M×K) B (K×N), row-major, no transposes, used only by bench/kernels.ts to show
// what each idea buys. ladderTiled needs M % 4 == 0 and N % 8 == 0.

import { madd } from './simd';

/** Step 1: the reference i-k-j loop, one float at a time. */
export function ladderScalar(M: i32, N: i32, K: i32, a: usize, b: usize, c: usize): void {
  memory.fill(c, 0, <usize>(M * N) * 4);
  for (let i = 0; i < M; i++) {
    const ci = c + <usize>(i * N) * 4;
    for (let k = 0; k < K; k++) {
      const aik = load<f32>(a + <usize>(i * K + k) * 4);
      const bk = b + <usize>(k * N) * 4;
      for (let j = 0; j < N; j++) store<f32>(ci + <usize>j * 4, load<f32>(ci + <usize>j * 4) + aik * load<f32>(bk + <usize>j * 4));
    }
  }
}

/** Step 2: the same loop, four floats of a C row per instruction (C still goes through memory). */
export function ladderSimd(M: i32, N: i32, K: i32, a: usize, b: usize, c: usize): void {
  memory.fill(c, 0, <usize>(M * N) * 4);
  for (let i = 0; i < M; i++) {
    const ci = c + <usize>(i * N) * 4;
    for (let k = 0; k < K; k++) {
      const aik = v128.load32_splat(a + <usize>(i * K + k) * 4);
      const bk = b + <usize>(k * N) * 4;
      let j = 0;
      for (; j + 4 <= N; j += 4) v128.store(ci + <usize>j * 4, madd(aik, v128.load(bk + <usize>j * 4), v128.load(ci + <usize>j * 4)));
      for (; j < N; j++) store<f32>(ci + <usize>j * 4, load<f32>(ci + <usize>j * 4) + f32x4.extract_lane(aik, 0) * load<f32>(bk + <usize>j * 4));
    }
  }
}

/** Step 3: a 4×8 tile of C in registers over the whole k loop, reading A and B unpacked. */
export function ladderTiled(M: i32, N: i32, K: i32, a: usize, b: usize, c: usize): void {
  for (let i = 0; i < M; i += 4) {
    for (let j = 0; j < N; j += 8) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const bk = b + <usize>(k * N + j) * 4;
        const b0 = v128.load(bk);
        const b1 = v128.load(bk, 16);
        const ak = a + <usize>(i * K + k) * 4;
        let x = v128.load32_splat(ak);
        c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
        x = v128.load32_splat(ak + <usize>K * 4);
        c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
        x = v128.load32_splat(ak + <usize>K * 8);
        c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
        x = v128.load32_splat(ak + <usize>K * 12);
        c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
      }
      const cp = c + <usize>(i * N + j) * 4;
      const s = <usize>N * 4;
      v128.store(cp, c00); v128.store(cp, c01, 16);
      v128.store(cp + s, c10); v128.store(cp + s, c11, 16);
      v128.store(cp + 2 * s, c20); v128.store(cp + 2 * s, c21, 16);
      v128.store(cp + 3 * s, c30); v128.store(cp + 3 * s, c31, 16);
    }
  }
}
