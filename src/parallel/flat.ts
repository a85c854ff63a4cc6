// Parameters and gradients laid end to end in one flat float32 array, the form a collective
// moves them in (PyTorch DDP (Li et al., 2020) packs gradients into "buckets" the same way).
// Parameter i occupies [offsets[i], offsets[i] + size_i) of the flat array.

import type { Parameter } from '../nn/parameter.js';
import { Tensor } from '../tensor/tensor.js';

export class FlatLayout {
  readonly offsets: number[] = [];
  readonly total: number;

  constructor(readonly params: readonly Parameter[]) {
    let o = 0;
    for (const p of params) {
      this.offsets.push(o);
      o += p.size;
    }
    this.total = o;
  }

  /** flat = concat(p.grad) (a parameter the loss did not reach contributes zeros). */
  gatherGrads(flat: Float32Array): void {
    this.params.forEach((p, i) => {
      const dst = flat.subarray(this.offsets[i], this.offsets[i] + p.size);
      if (p.grad) dst.set(p.grad.data);
      else dst.fill(0);
    });
  }

  /** p.grad = its part of flat, for every parameter. */
  scatterGrads(flat: Float32Array): void {
    this.params.forEach((p, i) => {
      const src = flat.subarray(this.offsets[i], this.offsets[i] + p.size);
      if (p.grad && p.grad.data instanceof Float32Array) p.grad.data.set(src);
      else p.grad = new Tensor(src.slice(), p.shape);
    });
  }

  /** flat[lo, hi) = the parameters' values there. */
  gatherParams(flat: Float32Array, lo = 0, hi = this.total): void {
    this.each(lo, hi, (p, a, b, f) => flat.set(p.data.subarray(a, b), f));
  }

  /** The parameters' values = flat, everywhere. */
  scatterParams(flat: Float32Array): void {
    this.each(0, this.total, (p, a, b, f) => p.data.set(flat.subarray(f, f + b - a), a));
  }

  /**
   * Calls fn for each parameter overlapping flat[lo, hi): the parameter, the range [a, b) of its
   * own elements that falls inside, and where a sits in the flat array.
   */
  each(
    lo: number,
    hi: number,
    fn: (p: Parameter, a: number, b: number, flatAt: number, i: number) => void,
  ): void {
    this.params.forEach((p, i) => {
      const o = this.offsets[i];
      const a = Math.max(lo, o);
      const b = Math.min(hi, o + p.size);
      if (a < b) fn(p, a - o, b - o, a, i);
    });
  }
}
