// The product of activations with a quantized weight: y = x Ŵᵀ + b, where Ŵ (out, in) is an int8
// (int8.ts) or int4 (int4.ts) matrix. Every quantized layer (QuantizedLinear, the tied output head
// of a quantized embedding) calls this one function, so a fast kernel that reads the integer codes
// directly lands in one place. The readable reference dequantizes Ŵ to float and multiplies
// (dequantizeWeight, then linear); the product here goes through the backend's quantGemm, whose
// plain kernel loops over the codes (kernels/js/quant.ts) and whose wasm kernel dequantizes in
// registers (kernels/wasm/quant.ts): both equal the reference to float tolerance.
//   x (..., in) -> y (..., out)
// Gradient: Ŵ is frozen, so only x and b get one: dx = dy Ŵ (from the dequantized weight, made
// only when a backward pass asks for it), db = Σ dy over the rows.

import { Tensor } from '../tensor/tensor.js';
import { allocate } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { sumToShape } from '../tensor/ops/broadcast.js';
import { getBackend } from '../kernels/backend.js';
import { LlmfsError } from '../errors.js';
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
  const N = w.rows;
  const K = w.cols;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== K) {
    throw new LlmfsError(
      `quantized linear: input of shape ${fmtShape(x.shape)} does not match the weight (${N}, ${K}): ` +
        `last size must be ${K}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== N))
    throw new LlmfsError(`quantized linear: bias of shape ${fmtShape(bias.shape)} must be (${N})`);
  const M = x.size / K;
  const be = getBackend();
  const y = allocate(x.dtype, M * N); // (M, N)
  be.quantGemm({ M, x: x.data, xOffset: 0, w, y, yOffset: 0 });
  if (bias) for (let r = 0; r < M; r++) for (let j = 0; j < N; j++) y[r * N + j] += bias.data[j];
  const inputs = bias ? [x, bias] : [x];
  return Tensor.fromOp('quantizedLinear', y, [...x.shape.slice(0, -1), N], inputs, (g) => {
    const grads: (Tensor | null)[] = [null, null];
    if (x.requiresGrad) {
      // dx = dy Ŵ: (M, N) x (N, K)
      const dx = allocate(g.dtype, x.size);
      be.gemm({
        transA: false,
        transB: false,
        M,
        N: K,
        K: N,
        a: g.data,
        aOffset: 0,
        b: dequantizeWeight(w).data,
        bOffset: 0,
        c: dx,
        cOffset: 0,
        accumulate: false,
      });
      grads[0] = new Tensor(dx, x.shape);
    }
    if (bias && bias.requiresGrad) grads[1] = sumToShape(g, bias.shape);
    return grads.slice(0, inputs.length);
  });
}
