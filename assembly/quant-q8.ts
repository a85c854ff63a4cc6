// Opt-in (src/kernels/wasm/quant.ts, int8Activations): x quantized too, per row (absmax, as the
// weight), so the product runs in integers, as llama.cpp's Q8_0 x Q8_0 dot product does:
//   x(i, k) ≈ t_i · a(i, k),  a ∈ [-127, 127]      y(i, j) ≈ t_i s_j · Σ_k a(i, k) q(j, k)
// exact in i32 (|Σ| <= 127² K), pairs of i16 products summed by i32x4.dot_i16x8_s. The error
// against the float product is at most t_i / 2 · Σ_k |ŵ(j, k)| (the rounding of x), so results
// differ from the default path's.

/**
 * xq (M×K, rows contiguous) and t (M) = x quantized per row: t = max|x| / 127, codes in
 * [-127, 127] stored widened to i16, so the product loads them ready for i32x4.dot_i16x8_s
 * (each x row is read N times, once per weight row: widened once here, not N times there).
 */
export function quantizeRowsInt8(M: i32, K: i32, x: usize, ldx: i32, xq: usize, t: usize): void {
  for (let i = 0; i < M; i++) {
    const xi = x + <usize>(i * ldx) * 4;
    let amax: f32 = 0;
    for (let k = 0; k < K; k++) amax = max(amax, abs(load<f32>(xi + <usize>k * 4)));
    const ti = amax / 127;
    const inv: f32 = ti > 0 ? 1 / ti : 0;
    store<f32>(t + <usize>i * 4, ti);
    const qi = xq + <usize>(i * K) * 2;
    for (let k = 0; k < K; k++) {
      const v = <i32>nearest(load<f32>(xi + <usize>k * 4) * inv);
      store<i16>(qi + <usize>k * 2, <i16>(v > 127 ? 127 : v < -127 ? -127 : v));
    }
  }
}

/**
 * y (M×N, row stride ldy) over weight rows j0..j1 = (t_i s_j) Σ_k xq(i, k) q(j, k), integer sums
 * (exact, so any order gives the same numbers). One weight row at a time: one sequential stream
 * (two rows side by side read the head at a third of the speed).
 */
export function qgemmInt8Q8(M: i32, K: i32, xq: usize, t: usize, q: usize, s: usize, y: usize, ldy: i32, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) {
    const qj = q + <usize>j * <usize>K;
    const sj = load<f32>(s + <usize>j * 4);
    for (let i = 0; i < M; i++) {
      const d = dotQ8(xq + <usize>(i * K) * 2, qj, K);
      store<f32>(y + <usize>(i * ldy + j) * 4, <f32>d * (load<f32>(t + <usize>i * 4) * sj));
    }
  }
}

@inline function lanes(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// Σ_k a(k) q(k): a as i16 (2 bytes), q as i8, 16 k per step.
@inline function dotQ8(a: usize, q: usize, K: i32): i32 {
  const K16 = K & ~15;
  let acc0 = i32x4.splat(0), acc1 = i32x4.splat(0);
  for (let k = 0; k < K16; k += 16) {
    const w = v128.load(q + <usize>k);
    acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load(a + <usize>k * 2), i16x8.extend_low_i8x16_s(w)));
    acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.load(a + <usize>k * 2, 16), i16x8.extend_high_i8x16_s(w)));
  }
  let d = lanes(i32x4.add(acc0, acc1));
  for (let k = K16; k < K; k++) d += <i32>load<i16>(a + <usize>k * 2) * <i32>load<i8>(q + <usize>k);
  return d;
}
