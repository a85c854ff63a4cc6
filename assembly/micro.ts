// GEMM micro-kernels: an MR×8 tile of C held in f32x4 registers while k runs over packed
// micro-panels of A (MR values per k, each broadcast) and B (8 values per k, two vectors).
// V8 on x86-64 gives wasm 15 xmm registers (one is its scratch): with a fused multiply-add the
// 6×8 tile fits (12 accumulators + 2 B + 1 A); a separate mul + add needs a temporary, so 5×8.

import { madd } from './simd';

/** Adds (or with overwrite, stores) an edge tile, mr×nr of the MR×8 block at `tile`, into C. */
function addTile(tile: usize, c: usize, ldc: i32, mr: i32, nr: i32, overwrite: bool): void {
  for (let i = 0; i < mr; i++) {
    const ci = c + <usize>(i * ldc) * 4;
    const ti = tile + <usize>(i * 8) * 4;
    for (let j = 0; j < nr; j++) {
      const t = load<f32>(ti + <usize>j * 4);
      store<f32>(ci + <usize>j * 4, overwrite ? t : load<f32>(ci + <usize>j * 4) + t);
    }
  }
}

// C[0..6, 0..8] += Apanel · Bpanel over kc steps, the 6×8 tile in 12 f32x4 locals.
export function micro6x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, tile: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += 24;
    pb += 32;
  }
  if (mr == 6 && nr == 8) {
    const s = <usize>ldc * 4;
    let p = c;
    if (overwrite) {
      v128.store(p, c00); v128.store(p, c01, 16); p += s;
      v128.store(p, c10); v128.store(p, c11, 16); p += s;
      v128.store(p, c20); v128.store(p, c21, 16); p += s;
      v128.store(p, c30); v128.store(p, c31, 16); p += s;
      v128.store(p, c40); v128.store(p, c41, 16); p += s;
      v128.store(p, c50); v128.store(p, c51, 16);
      return;
    }
    v128.store(p, f32x4.add(v128.load(p), c00)); v128.store(p, f32x4.add(v128.load(p, 16), c01), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c10)); v128.store(p, f32x4.add(v128.load(p, 16), c11), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c20)); v128.store(p, f32x4.add(v128.load(p, 16), c21), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c30)); v128.store(p, f32x4.add(v128.load(p, 16), c31), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c40)); v128.store(p, f32x4.add(v128.load(p, 16), c41), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c50)); v128.store(p, f32x4.add(v128.load(p, 16), c51), 16);
    return;
  }
  v128.store(tile, c00, 0); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  v128.store(tile, c50, 160); v128.store(tile, c51, 176);
  addTile(tile, c, ldc, mr, nr, overwrite);
}

// C[0..5, 0..8] += Apanel · Bpanel over kc steps, the 5×8 tile in 10 f32x4 locals.
export function micro5x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, tile: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    pa += 20;
    pb += 32;
  }
  if (mr == 5 && nr == 8) {
    const s = <usize>ldc * 4;
    let p = c;
    if (overwrite) {
      v128.store(p, c00); v128.store(p, c01, 16); p += s;
      v128.store(p, c10); v128.store(p, c11, 16); p += s;
      v128.store(p, c20); v128.store(p, c21, 16); p += s;
      v128.store(p, c30); v128.store(p, c31, 16); p += s;
      v128.store(p, c40); v128.store(p, c41, 16);
      return;
    }
    v128.store(p, f32x4.add(v128.load(p), c00)); v128.store(p, f32x4.add(v128.load(p, 16), c01), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c10)); v128.store(p, f32x4.add(v128.load(p, 16), c11), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c20)); v128.store(p, f32x4.add(v128.load(p, 16), c21), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c30)); v128.store(p, f32x4.add(v128.load(p, 16), c31), 16); p += s;
    v128.store(p, f32x4.add(v128.load(p), c40)); v128.store(p, f32x4.add(v128.load(p, 16), c41), 16);
    return;
  }
  v128.store(tile, c00, 0); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  addTile(tile, c, ldc, mr, nr, overwrite);
}
