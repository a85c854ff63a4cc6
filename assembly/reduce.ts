// Sum over the middle axis of (outer, n, inner) in f32x4, out[o, i] = Σ_k x[o, k, i] (a bias
// gradient's column sums). Each column is added in k order from 0, as the reference loop in
// src/kernels/js/reduce.ts does, so the bits are the same; vectors run across the columns.

export function sumAxis(x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  const rowBytes = <usize>inner * 4;
  for (let o = 0; o < outer; o++) {
    const src = x + <usize>(o * n) * rowBytes;
    const dst = out + <usize>o * rowBytes;
    let i = 0;
    // 32 columns in 8 registers, summed down all n rows
    for (; i + 32 <= inner; i += 32) {
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      let s4 = f32x4.splat(0);
      let s5 = f32x4.splat(0);
      let s6 = f32x4.splat(0);
      let s7 = f32x4.splat(0);
      let p = src + <usize>i * 4;
      for (let k = 0; k < n; k++) {
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32));
        s3 = f32x4.add(s3, v128.load(p, 48));
        s4 = f32x4.add(s4, v128.load(p, 64));
        s5 = f32x4.add(s5, v128.load(p, 80));
        s6 = f32x4.add(s6, v128.load(p, 96));
        s7 = f32x4.add(s7, v128.load(p, 112));
        p += rowBytes;
      }
      const q = dst + <usize>i * 4;
      v128.store(q, s0);
      v128.store(q, s1, 16);
      v128.store(q, s2, 32);
      v128.store(q, s3, 48);
      v128.store(q, s4, 64);
      v128.store(q, s5, 80);
      v128.store(q, s6, 96);
      v128.store(q, s7, 112);
    }
    for (; i + 4 <= inner; i += 4) {
      let s = f32x4.splat(0);
      let p = src + <usize>i * 4;
      for (let k = 0; k < n; k++) {
        s = f32x4.add(s, v128.load(p));
        p += rowBytes;
      }
      v128.store(dst + <usize>i * 4, s);
    }
    for (; i < inner; i++) {
      let s: f32 = 0;
      let p = src + <usize>i * 4;
      for (let k = 0; k < n; k++) {
        s += load<f32>(p);
        p += rowBytes;
      }
      store<f32>(dst + <usize>i * 4, s);
    }
  }
}
