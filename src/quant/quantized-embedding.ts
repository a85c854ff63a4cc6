// A token embedding whose table E (V, C) is stored quantized (int8 per row, or int4 in groups along
// each row: int8.ts, int4.ts). Looking up a token dequantizes only its row; a tied output head
// (logits = x Eᵀ, Press & Wolf, 2017) multiplies by the quantized table through quantizedLinear
// (qmatmul.ts), so the largest matrix of a small GPT (50257 x 768 in GPT-2) is read as codes.
// Inference only: the table is frozen.
//   ids (...) -> vectors (..., C);   project: x (..., C) -> logits (..., V)

import { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import type { Embedding } from '../nn/layers.js';
import { LlmfsError } from '../errors.js';
import { residentWeight } from './resident.js';
import { unpackNibbles } from './int4.js';
import { isInt8, quantizedLinear, quantWeightBytes, dequantizeWeight, type QuantWeight } from './qmatmul.js';
import { quantizeMatrix, type QuantizeOptions } from './quantized-linear.js';

/** Row r of a quantized matrix, dequantized into out[at .. at + cols). */
export function dequantizeRow(w: QuantWeight, r: number, out: Float32Array, at: number): void {
  const C = w.cols;
  if (isInt8(w)) {
    const s = w.scales[r];
    for (let j = 0; j < C; j++) out[at + j] = s * w.q[r * C + j];
    return;
  }
  // An int4 row is C / 2 packed bytes (C is a multiple of the group, itself even).
  const codes = unpackNibbles(w.packed.subarray((r * C) / 2, ((r + 1) * C) / 2), C);
  const G = w.groupSize;
  for (let j = 0; j < C; j++) {
    const g = ((r * C + j) / G) >> 0;
    out[at + j] = w.scales[g] * (w.zeros ? codes[j] - w.zeros[g] : codes[j] - 8);
  }
}

export class QuantizedEmbedding extends Module {
  readonly num: number;
  readonly dim: number;
  /** The quantized table (V, C). */
  readonly weightQ: QuantWeight;

  constructor(weightQ: QuantWeight) {
    super();
    this.weightQ = residentWeight(weightQ); // where the kernels read it, if the backend says where
    this.num = weightQ.rows;
    this.dim = weightQ.cols;
  }

  static fromEmbedding(from: Embedding, o: QuantizeOptions): QuantizedEmbedding {
    return new QuantizedEmbedding(quantizeMatrix(from.weight.data, from.num, from.dim, o));
  }

  /** ids of any shape (...) -> vectors (..., C). Frozen: no gradient flows to the table. */
  forward(ids: Tensor | readonly number[] | Int32Array, shape?: readonly number[]): Tensor {
    const idShape = ids instanceof Tensor ? ids.shape : (shape ?? [ids.length]);
    const flat = ids instanceof Tensor ? ids.data : ids;
    const C = this.dim;
    const out = new Float32Array(flat.length * C);
    for (let k = 0; k < flat.length; k++) {
      const id = flat[k];
      if (!(Number.isInteger(id) && id >= 0 && id < this.num))
        throw new LlmfsError(`embedding: token id ${id} is outside the vocabulary of ${this.num}`);
      dequantizeRow(this.weightQ, id, out, k * C);
    }
    return new Tensor(out, [...idShape, C]);
  }

  /** The tied output head: x (..., C) -> x Êᵀ (..., V). */
  project(x: Tensor): Tensor {
    return quantizedLinear(x, this.weightQ, null);
  }

  /**
   * The float weight this layer stands for, dequantized anew on each read (a copy, not a parameter:
   * writing to it changes nothing). Lets code written for the float layer read a quantized one.
   */
  get weight(): Tensor {
    return this.dequantizedWeight();
  }

  /** Ê (V, C) as a float tensor. */
  dequantizedWeight(): Tensor {
    return dequantizeWeight(this.weightQ);
  }

  weightBytes(): number {
    return quantWeightBytes(this.weightQ);
  }
}
