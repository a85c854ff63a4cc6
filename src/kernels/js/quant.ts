// Reference product with a quantized weight, y = x Ŵᵀ (Ŵ (N, K): int8 rows or int4 groups, layouts
// in src/quant/int8.ts and int4.ts), as the plainest loop over the codes: each weight is
// dequantized where it is used, ŵ = s · q (int8) or s · (q - z) (int4, z = 8 when symmetric), and
// multiplied in the same order as the float reference gemm (dot of two rows), so it equals
// dequantize-then-gemm exactly.
//   x (M, K) -> y (M, N)

import type { QuantGemmArgs } from '../backend-interface.js';

export function quantGemm(p: QuantGemmArgs): void {
  const { M, x, xOffset: xo, w, y, yOffset: yo } = p;
  const N = w.rows;
  const K = w.cols;
  if ('q' in w) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const s = w.scales[j];
        let acc = 0;
        for (let k = 0; k < K; k++) acc += x[xo + i * K + k] * Math.fround(s * w.q[j * K + k]);
        y[yo + i * N + j] = acc;
      }
    }
    return;
  }
  const G = w.groupSize;
  const ng = K / G;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const at = j * K + k; // index of the weight in the row-major (N, K) matrix
        const g = j * ng + Math.floor(k / G);
        const code = (w.packed[at >> 1] >> ((at & 1) * 4)) & 15;
        const zero = w.zeros ? w.zeros[g] : 8;
        acc += x[xo + i * K + k] * Math.fround(w.scales[g] * (code - zero));
      }
      y[yo + i * N + j] = acc;
    }
  }
}
