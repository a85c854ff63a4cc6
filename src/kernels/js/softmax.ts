// Reference row-wise softmax and log-softmax, numerically stable: subtract the row maximum
// before exponentiating, so exp never overflows (softmax is invariant to a constant shift).

import type { FloatArray } from '../dtype.js';

export function softmaxForward(x: FloatArray, y: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
    if (m === -Infinity) m = 0; // a fully masked row: every exp below is 0
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j] - m);
      y[o + j] = e;
      s += e;
    }
    const inv = s > 0 ? 1 / s : 0;
    for (let j = 0; j < cols; j++) y[o + j] *= inv;
  }
}

// dx_j = y_j (dy_j - sum_k dy_k y_k)
export function softmaxBackward(
  y: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
    for (let j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dy[o + j] - dot);
  }
}

// log softmax(x)_j = x_j - m - log sum_k exp(x_k - m)
export function logSoftmaxForward(x: FloatArray, y: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
    if (m === -Infinity) m = 0;
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < cols; j++) y[o + j] = x[o + j] - lse;
  }
}

// dx_j = dy_j - softmax_j sum_k dy_k, with softmax_j = exp(y_j)
export function logSoftmaxBackward(
  y: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += dy[o + j];
    for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j] - Math.exp(y[o + j]) * s;
  }
}
