// Reference GELU, tanh approximation (Hendrycks & Gimpel, 2016, eq. 4; GPT-2's "gelu_new"):
//   gelu(x) = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
//   gelu'(x) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)

import type { FloatArray } from '../dtype.js';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

export function geluTanhForward(x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = 0.5 * v * (1 + Math.tanh(C * (v + A * v * v * v)));
  }
}

export function geluTanhBackward(x: FloatArray, dy: FloatArray, dx: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = Math.tanh(C * (v + A * v * v * v));
    const d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * A * v * v);
    dx[i] = dy[i] * d;
  }
}
