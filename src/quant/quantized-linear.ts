// A Linear layer whose weight is stored quantized (int8 per row, or int4 per group: int8.ts,
// int4.ts) and dequantized when it is used: the readable reference every fast quantized kernel
// must equal. Inference only: the weight is frozen (quantized weights are not trained here; the
// bias, if any, stays float).
//   y = x Ŵᵀ + b,   Ŵ = dequantize(q, scales)          x (..., in) -> y (..., out)

import { Tensor } from '../tensor/tensor.js';
import { linear } from '../tensor/ops/matmul.js';
import { Module } from '../nn/module.js';
import type { Linear } from '../nn/layers.js';
import { LlmfsError } from '../errors.js';
import { dequantizeInt8, quantizeInt8, type Int8Rows } from './int8.js';
import { dequantizeInt4, quantizeInt4, type Int4Groups } from './int4.js';

export type QuantBits = 8 | 4;

export interface QuantizeOptions {
  bits: QuantBits;
  /** int4 only: weights per group (default 32). */
  groupSize?: number;
  /** int4 only: asymmetric groups with a zero point. */
  zeroPoint?: boolean;
}

export class QuantizedLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bits: QuantBits;
  /** The quantized weight (out, in). */
  readonly weightQ: Int8Rows | Int4Groups;
  bias: Tensor | null;

  constructor(from: Linear, o: QuantizeOptions) {
    super();
    const [out, inF] = from.weight.shape as [number, number];
    this.inFeatures = inF;
    this.outFeatures = out;
    if (o.bits !== 8 && o.bits !== 4)
      throw new LlmfsError(`quantize: bits must be 8 or 4, got ${String(o.bits)}`);
    this.bits = o.bits;
    const w = from.weight.data;
    this.weightQ =
      o.bits === 8
        ? quantizeInt8(w, out, inF)
        : quantizeInt4(w, out, inF, { groupSize: o.groupSize ?? 32, zeroPoint: o.zeroPoint ?? false });
    this.bias = from.bias ? from.bias.detach() : null;
  }

  /** Ŵ (out, in) as a float tensor. */
  dequantizedWeight(): Tensor {
    const data =
      this.bits === 8 ? dequantizeInt8(this.weightQ as Int8Rows) : dequantizeInt4(this.weightQ as Int4Groups);
    return new Tensor(data, [this.outFeatures, this.inFeatures]);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.dequantizedWeight(), this.bias); // (..., in) -> (..., out)
  }

  /** Bytes the weight takes: codes plus scales (and zero points). */
  weightBytes(): number {
    const q = this.weightQ;
    if (this.bits === 8) return (q as Int8Rows).q.byteLength + q.scales.byteLength;
    const g = q as Int4Groups;
    return g.packed.byteLength + g.scales.byteLength + (g.zeros?.byteLength ?? 0);
  }
}
