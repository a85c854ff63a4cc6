// Reference layer normalisation over the last axis (Ba, Kiros & Hinton, 2016):
//   y = (x - mean) / sqrt(var + eps) * w + b,   var the biased (population) variance.
// Backward, with xhat = (x - mean) * rstd and g = dy * w:
//   dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),  dw += sum dy * xhat,  db += sum dy.

import type { FloatArray } from '../dtype.js';

export function layerNormForward(
  x: FloatArray,
  w: FloatArray | null,
  b: FloatArray | null,
  y: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = 0;
    for (let j = 0; j < cols; j++) m += x[o + j];
    m /= cols;
    let v = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[o + j] - m;
      v += d * d;
    }
    v /= cols;
    const s = 1 / Math.sqrt(v + eps);
    mean[r] = m;
    rstd[r] = s;
    for (let j = 0; j < cols; j++) {
      let h = (x[o + j] - m) * s;
      if (w) h *= w[j];
      if (b) h += b[j];
      y[o + j] = h;
    }
  }
}

export function layerNormBackward(
  dy: FloatArray,
  x: FloatArray,
  w: FloatArray | null,
  mean: FloatArray,
  rstd: FloatArray,
  dx: FloatArray,
  dw: FloatArray | null,
  db: FloatArray | null,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = mean[r];
    const s = rstd[r];
    let meanG = 0;
    let meanGX = 0;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[o + j] - m) * s;
      const g = w ? dy[o + j] * w[j] : dy[o + j];
      meanG += g;
      meanGX += g * xhat;
      if (dw) dw[j] += dy[o + j] * xhat;
      if (db) db[j] += dy[o + j];
    }
    meanG /= cols;
    meanGX /= cols;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[o + j] - m) * s;
      const g = w ? dy[o + j] * w[j] : dy[o + j];
      dx[o + j] = s * (g - meanG - xhat * meanGX);
    }
  }
}
