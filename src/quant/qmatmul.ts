// The product of activations with a quantized weight: y = x Ŵᵀ + b, where Ŵ (out, in) is an int8
// (int8.ts) or int4 (int4.ts) matrix. Every quantized layer (QuantizedLinear, the tied output head
// of a quantized embedding) calls this one function, so a fast kernel that reads the integer codes
// directly lands in one place. The readable reference below dequantizes Ŵ to float and multiplies;
// a fast path must equal it to float tolerance.
//   x (..., in) -> y (..., out)

import { Tensor } from '../tensor/tensor.js';
import { linear } from '../tensor/ops/matmul.js';
import { dequantizeInt8, type Int8Rows } from './int8.js';
import { dequantizeInt4, type Int4Groups } from './int4.js';

/** A quantized weight matrix (out, in): int8 with one scale per row, or int4 in groups. */
export type QuantWeight = Int8Rows | Int4Groups;

export function isInt8(w: QuantWeight): w is Int8Rows {
  return 'q' in w;
}

/** Ŵ as a float tensor (out, in). */
export function dequantizeWeight(w: QuantWeight): Tensor {
  const data = isInt8(w) ? dequantizeInt8(w) : dequantizeInt4(w);
  return new Tensor(data, [w.rows, w.cols]);
}

/** Bytes the weight takes on disk and in memory: codes plus scales (and zero points). */
export function quantWeightBytes(w: QuantWeight): number {
  if (isInt8(w)) return w.q.byteLength + w.scales.byteLength;
  return w.packed.byteLength + w.scales.byteLength + (w.zeros?.byteLength ?? 0);
}

/** y = x Ŵᵀ + b. The weight is a constant: gradients flow to x (and b) only. */
export function quantizedLinear(x: Tensor, w: QuantWeight, bias: Tensor | null): Tensor {
  return linear(x, dequantizeWeight(w), bias); // (..., in) -> (..., out)
}
