// Reference sum over the middle axis of an (outer, n, inner) block: out (outer, inner) is
//   out[o, i] = Σ_k x[o, k, i]
// (a sum over any axes is a sequence of these). The innermost loop walks contiguous memory.

import type { FloatArray } from '../dtype.js';

export function sumAxis(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void {
  out.fill(0, 0, outer * inner);
  for (let o = 0; o < outer; o++) {
    const dst = o * inner;
    for (let k = 0; k < n; k++) {
      const src = (o * n + k) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += x[src + i];
    }
  }
}
