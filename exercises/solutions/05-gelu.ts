// Reference solution of gelu (chapter 5, section "The position-wise MLP").

import type { Tensor } from 'llm-from-scratch';

/** 0.5 · x · (1 + tanh(sqrt(2/π) · (x + 0.044715 x³))), elementwise. */
export function gelu(x: Tensor): Tensor {
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(inner.tanh().add(1)).mul(0.5);
}
