// A Linear layer whose weight is stored quantized (int8 per row, or int4 per group: int8.ts,
// int4.ts) and used through quantizedLinear (qmatmul.ts), which a fast kernel may serve without
// ever making the float weight. Inference only: the weight is frozen (quantized weights are not
// trained here; the bias, if any, stays float and trainable).
//   y = x Ŵᵀ + b,   Ŵ = dequantize(q, scales)          x (..., in) -> y (..., out)

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import type { Linear } from '../nn/layers.js';
import { LlmfsError } from '../errors.js';
import { residentWeight } from './resident.js';
import { quantizeInt8 } from './int8.js';
import { quantizeInt4 } from './int4.js';
import { dequantizeWeight, isInt8, quantizedLinear, quantWeightBytes, type QuantWeight } from './qmatmul.js';

export type QuantBits = 8 | 4;

export interface QuantizeOptions {
  bits: QuantBits;
  /** int4 only: weights per group (default 32). */
  groupSize?: number;
  /** int4 only: asymmetric groups with a zero point. */
  zeroPoint?: boolean;
}

/** Quantizes a float matrix (rows, cols) as the options say. */
export function quantizeMatrix(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  o: QuantizeOptions,
): QuantWeight {
  if (o.bits === 8) return quantizeInt8(w, rows, cols);
  if (o.bits === 4)
    return quantizeInt4(w, rows, cols, { groupSize: o.groupSize ?? 32, zeroPoint: o.zeroPoint ?? false });
  throw new LlmfsError(`quantize: bits must be 8 or 4, got ${String(o.bits)}`);
}

export class QuantizedLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bits: QuantBits;
  /** The quantized weight (out, in). */
  readonly weightQ: QuantWeight;
  /** The bias (out), float and trainable; a parameter, so it is saved with the model. */
  bias: Parameter | null;

  constructor(weightQ: QuantWeight, bias: Tensor | null) {
    super();
    this.weightQ = residentWeight(weightQ); // where the kernels read it, if the backend says where
    this.outFeatures = weightQ.rows;
    this.inFeatures = weightQ.cols;
    this.bits = isInt8(weightQ) ? 8 : 4;
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== weightQ.rows))
      throw new LlmfsError(`QuantizedLinear: a bias of shape [${bias.shape}] for ${weightQ.rows} outputs`);
    this.bias = bias ? new Parameter(bias.detach(), { noDecay: true }) : null;
  }

  /** The quantized form of a float Linear (its bias is copied, detached). */
  static fromLinear(from: Linear, o: QuantizeOptions): QuantizedLinear {
    const [out, inF] = from.weight.shape as [number, number];
    return new QuantizedLinear(quantizeMatrix(from.weight.data, out, inF, o), from.bias);
  }

  /**
   * The float weight this layer stands for, dequantized anew on each read (a copy, not a parameter:
   * writing to it changes nothing). Lets code written for the float layer read a quantized one.
   */
  get weight(): Tensor {
    return this.dequantizedWeight();
  }

  /** Ŵ (out, in) as a float tensor. */
  dequantizedWeight(): Tensor {
    return dequantizeWeight(this.weightQ);
  }

  forward(x: Tensor): Tensor {
    return quantizedLinear(x, this.weightQ, this.bias); // (..., in) -> (..., out)
  }

  /** Bytes the weight takes: codes plus scales (and zero points). */
  weightBytes(): number {
    return quantWeightBytes(this.weightQ);
  }
}
