// Reference solution of lora-merge (chapter 11, section "LoRA: low-rank adapters").

import { Tensor } from 'llm-from-scratch';

/** W' = W + scale · B A, element by element: W'[o, i] = W[o, i] + scale · Σ_k B[o, k] A[k, i]. */
export function loraMerge(weight: Tensor, A: Tensor, B: Tensor, scale: number): Tensor {
  const [out, inF] = weight.shape; // (out, in)
  const r = A.shape[0]; // A (r, in), B (out, r)
  const merged = new Float32Array(out * inF);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inF; i++) {
      let ba = 0;
      for (let k = 0; k < r; k++) ba += B.data[o * r + k] * A.data[k * inF + i];
      merged[o * inF + i] = weight.data[o * inF + i] + scale * ba;
    }
  return new Tensor(merged, [out, inF]);
}
