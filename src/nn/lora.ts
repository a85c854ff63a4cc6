// LoRA: low-rank adaptation (Hu et al., 2021, "LoRA: Low-Rank Adaptation of Large Language
// Models", eq. 3). A frozen Linear W (out, in) learns only a low-rank update:
//   y = W x + b + (α/r) · B (A · dropout(x)),   A (r, in), B (out, r), r ≪ min(in, out)
// A starts Kaiming-uniform (a = √5, as PEFT: U(-1/√in, 1/√in)) and B zeros, so the update is 0
// at the start and training begins from the pretrained model. merge() folds (α/r)·B·A into W so
// inference costs nothing extra; unmerge() puts the saved W back, bit for bit.
// Names follow PEFT: the wrapped layer keeps `weight` and `bias`, the adapter adds
// `lora_A.weight` and `lora_B.weight`, so inside block 0 the keys are `h.0.attn.c_attn.lora_A.weight`.

import { Tensor } from '../tensor/tensor.js';
import { linear } from '../tensor/ops/matmul.js';
import { noGrad } from '../tensor/autograd.js';
import type { Rng } from '../tensor/rng.js';
import { Module } from './module.js';
import { Linear, Dropout } from './layers.js';
import type { Parameter } from './parameter.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'lora-forward' (chapter 11): the unmerged LoRA layer,
     * y = x Wᵀ + b + scale · (dropout(x) Aᵀ) Bᵀ, with x (..., in), W (out, in), b (out) or null,
     * A (r, in), B (out, r), scale = α/r; `dropout` is the layer's dropout on the LoRA path.
     */
    loraForward(
      x: Tensor,
      weight: Tensor,
      bias: Tensor | null,
      A: Tensor,
      B: Tensor,
      scale: number,
      dropout: (x: Tensor) => Tensor,
    ): Tensor;
    /**
     * Exercise 'lora-merge' (chapter 11): the merged weight W' = W + scale · B A, (out, in), as a
     * new tensor (W (out, in), A (r, in), B (out, r), scale = α/r).
     */
    loraMerge(weight: Tensor, A: Tensor, B: Tensor, scale: number): Tensor;
  }
}

/** y = x Wᵀ + b + scale · (dropout(x) Aᵀ) Bᵀ: the frozen layer plus the scaled low-rank path. */
const loraForward = exercisable('loraForward', (x, weight, bias, A, B, scale, dropout) => {
  const y = linear(x, weight, bias); // (..., out)
  const h = linear(dropout(x), A); // (..., r)
  return y.add(linear(h, B).mul(scale)); // (..., out)
});

/** ΔW = scale · B·A, (out, in), accumulated in float64 (A (r, in), B (out, r) as flat arrays). */
function loraDelta(
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  out: number,
  r: number,
  inn: number,
  scale: number,
) {
  const d = new Float64Array(out * inn);
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < r; k++) {
      const b = B[o * r + k]! * scale;
      if (b === 0) continue;
      const row = o * inn;
      const ak = k * inn;
      for (let i = 0; i < inn; i++) d[row + i] += b * A[ak + i]!;
    }
  }
  return d;
}

/** W' = W + scale · B·A as a new tensor of W's dtype (the sum rounded once to it). */
const loraMerge = exercisable('loraMerge', (weight, A, B, scale) => {
  const [out, inn] = weight.shape as [number, number];
  const d = loraDelta(A.data, B.data, out, A.shape[0]!, inn, scale);
  const w = weight.data.slice();
  for (let i = 0; i < w.length; i++) w[i] += d[i]!;
  return new Tensor(w, weight.shape);
});

export interface LoraOptions {
  /** The rank r of the update (1 <= r <= min(in, out)). */
  r: number;
  /** The scale numerator α: the update is multiplied by α/r (default α = r, scale 1). */
  alpha?: number;
  /** Dropout probability on the LoRA path's input (default 0). */
  dropout?: number;
  rng?: Rng;
}

export class LoRALinear extends Module {
  /** The wrapped layer's weight (out, in) and bias (out), shared with it and frozen. */
  weight: Parameter;
  bias: Parameter | null;
  /** A: in -> r (weight (r, in)); B: r -> out (weight (out, r)). */
  lora_A: Linear;
  lora_B: Linear;
  lora_dropout: Dropout;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly r: number;
  readonly alpha: number;
  /** α / r, the factor on B·A. */
  readonly scaling: number;
  private readonly _base: Linear;
  /** W as it was before merge() (null while unmerged, or when merged without a copy). */
  private _unmergedWeight: Float32Array | Float64Array | null = null;
  private _merged = false;

  constructor(base: Linear, opts: LoraOptions) {
    super();
    const { inFeatures, outFeatures } = base;
    const r = opts.r;
    if (!Number.isInteger(r) || r < 1) throw new LlmfsError(`LoRA: r must be a positive integer, got ${r}`);
    if (r > Math.min(inFeatures, outFeatures)) {
      throw new LlmfsError(
        `LoRA: r = ${r} is larger than the layer (${inFeatures} -> ${outFeatures}); ` +
          `r must be at most ${Math.min(inFeatures, outFeatures)}`,
      );
    }
    const alpha = opts.alpha ?? r;
    if (!Number.isFinite(alpha)) throw new LlmfsError(`LoRA: alpha must be a finite number, got ${alpha}`);
    this.weight = base.weight;
    this.bias = base.bias;
    base.weight.requiresGrad = false;
    if (base.bias) base.bias.requiresGrad = false;
    // nn.Linear's default init is kaiming_uniform_(a=√5): exactly PEFT's init of lora_A.
    this.lora_A = new Linear(inFeatures, r, { bias: false, rng: opts.rng });
    this.lora_B = new Linear(r, outFeatures, { bias: false, rng: opts.rng });
    this.lora_B.weight.data.fill(0);
    this.lora_dropout = new Dropout(opts.dropout ?? 0, opts.rng);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.r = r;
    this.alpha = alpha;
    this.scaling = alpha / r;
    this._base = base;
  }

  /** The wrapped Linear (its weight holds W, merged or not). */
  get base(): Linear {
    return this._base;
  }

  get merged(): boolean {
    return this._merged;
  }

  /** x (..., in) -> (..., out) */
  forward(x: Tensor): Tensor {
    if (this.merged) return linear(x, this.weight, this.bias); // W already holds W + (α/r)·B·A
    const drop = (t: Tensor) => this.lora_dropout.forward(t);
    return loraForward(x, this.weight, this.bias, this.lora_A.weight, this.lora_B.weight, this.scaling, drop);
  }

  /** ΔW = (α/r)·B·A, (out, in), accumulated in float64. */
  delta(): Float64Array {
    const [A, B] = [this.lora_A.weight.data, this.lora_B.weight.data];
    return loraDelta(A, B, this.outFeatures, this.r, this.inFeatures, this.scaling);
  }

  /**
   * Folds the update into W (W <- W + (α/r)·B·A); forward then uses W alone. A copy of W is kept
   * so that unmerge() is exact; `keepCopy: false` saves that memory (one W per layer) when the
   * merge is for good, and unmerge() then subtracts the update (exact up to float rounding).
   */
  merge(opts: { keepCopy?: boolean } = {}): void {
    if (this._merged) return;
    const w = this.weight.data;
    const copy = (opts.keepCopy ?? true) ? w.slice() : null; // taken first: W as it was
    // W' = W + (α/r)·B·A, (out, in), as a new tensor; W is overwritten only once it is checked.
    const merged = noGrad(() => loraMerge(this.weight, this.lora_A.weight, this.lora_B.weight, this.scaling));
    if (merged.shape.join() !== this.weight.shape.join())
      throw new LlmfsError(
        `LoRA merge: the merged weight has shape (${merged.shape.join(', ')}), ` +
          `expected (${this.weight.shape.join(', ')})`,
      );
    this._unmergedWeight = copy;
    w.set(merged.data);
    this._merged = true;
  }

  /** Restores W as it was before merge(): exactly, from the copy merge kept. */
  unmerge(): void {
    if (!this._merged) return;
    if (this._unmergedWeight) this.weight.data.set(this._unmergedWeight);
    else {
      const w = this.weight.data;
      const d = this.delta();
      for (let i = 0; i < w.length; i++) w[i] -= d[i];
    }
    this._unmergedWeight = null;
    this._merged = false;
  }
}
