// Reference solution of lora-forward (chapter 11, section "LoRA: low-rank adapters").

import type { Tensor } from 'llm-from-scratch';

/** y = x Wᵀ + b + scale · (dropout(x) Aᵀ) Bᵀ */
export function loraForward(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  A: Tensor,
  B: Tensor,
  scale: number,
  dropout: (x: Tensor) => Tensor,
): Tensor {
  const xw = x.matmul(weight.transpose(0, 1)); // (..., out)
  const base = bias ? xw.add(bias) : xw; // the frozen layer
  const down = dropout(x).matmul(A.transpose(0, 1)); // (..., r)
  const up = down.matmul(B.transpose(0, 1)); // (..., out)
  return base.add(up.mul(scale));
}
