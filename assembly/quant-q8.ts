// Opt-in (src/kernels/wasm/quant.ts, int8Activations): x quantized too, per row (absmax, as the
// weight), so the product runs in integers, as llama.cpp's Q8_0 x Q8_0 dot product does:
//   x(i, k) ≈ t_i · a(i, k),  a ∈ [-127, 127]      y(i, j) ≈ t_i s_j · Σ_k a(i, k) q(j, k)
// exact in i32 (|Σ| <= 127² K), pairs of i16 products summed by i32x4.dot_i16x8_s. The error
// against the float product is at most t_i / 2 · Σ_k |ŵ(j, k)| (the rounding of x), so results
// differ from the default path's.

/** xq (M×K int8, rows contiguous) and t (M) = x quantized per row: t = max|x| / 127. */
export function quantizeRowsInt8(M: i32, K: i32, x: usize, ldx: i32, xq: usize, t: usize): void {
  for (let i = 0; i < M; i++) {
    const xi = x + <usize>(i * ldx) * 4;
    let amax: f32 = 0;
    for (let k = 0; k < K; k++) amax = max(amax, abs(load<f32>(xi + <usize>k * 4)));
    const ti = amax / 127;
    const inv: f32 = ti > 0 ? 1 / ti : 0;
    store<f32>(t + <usize>i * 4, ti);
    const qi = xq + <usize>(i * K);
    for (let k = 0; k < K; k++) {
      const v = <i32>nearest(load<f32>(xi + <usize>k * 4) * inv);
      store<i8>(qi + <usize>k, <i8>(v > 127 ? 127 : v < -127 ? -127 : v));
    }
  }
}

/** y (M×N, row stride ldy) over weight rows j0..j1 = (t_i s_j) Σ_k xq(i, k) q(j, k), integer sums. */
export function qgemmInt8Q8(M: i32, K: i32, xq: usize, t: usize, q: usize, s: usize, y: usize, ldy: i32, j0: i32, j1: i32): void {
  const K16 = K & ~15;
  for (let j = j0; j < j1; j++) {
    const qj = q + <usize>j * <usize>K;
    const sj = load<f32>(s + <usize>j * 4);
    for (let i = 0; i < M; i++) {
      const ai = xq + <usize>(i * K);
      let acc0 = i32x4.splat(0), acc1 = i32x4.splat(0);
      for (let k = 0; k < K16; k += 16) {
        const a = v128.load(ai + <usize>k);
        const w = v128.load(qj + <usize>k);
        acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(w)));
        acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(w)));
      }
      const sum = i32x4.add(acc0, acc1);
      let d = i32x4.extract_lane(sum, 0) + i32x4.extract_lane(sum, 1) + i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3);
      for (let k = K16; k < K; k++) d += <i32>load<i8>(ai + <usize>k) * <i32>load<i8>(qj + <usize>k);
      store<f32>(y + <usize>(i * ldy + j) * 4, <f32>d * (load<f32>(t + <usize>i * 4) * sj));
    }
  }
}
