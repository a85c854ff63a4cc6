// The basic layers: Linear, Embedding, LayerNorm, RMSNorm, Dropout, each a thin Module over the
// functional op of the same name, with PyTorch's default initialisation.

import { Tensor } from '../tensor/tensor.js';
import { zeros, ones } from '../tensor/creation.js';
import { linear } from '../tensor/ops/matmul.js';
import { embedding } from '../tensor/ops/indexing.js';
import { layerNorm, rmsNorm } from '../tensor/ops/norm.js';
import { dropout } from '../tensor/ops/dropout.js';
import { type Rng, globalRng } from '../tensor/rng.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import * as init from './init.js';
import { LlmfsError } from '../errors.js';

function checkSize(layer: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0)
    throw new LlmfsError(`${layer}: ${name} must be a positive integer, got ${v}`);
}

/** y = x Wᵀ + b. W (out, in) starts U(-1/√in, 1/√in) (kaiming uniform with a = √5), b the same. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean; rng?: Rng } = {},
  ) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    const rng = opts.rng ?? globalRng;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter(init.uniform(zeros([outFeatures, inFeatures]), -bound, bound, rng));
    this.bias =
      opts.bias === false
        ? null
        : new Parameter(init.uniform(zeros([outFeatures]), -bound, bound, rng), { noDecay: true });
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias); // (..., in) -> (..., out)
  }
}

/** A lookup table of `num` vectors of size `dim`, initialised N(0, 1); not weight-decayed. */
export class Embedding extends Module {
  weight: Parameter;

  constructor(
    readonly num: number,
    readonly dim: number,
    opts: { rng?: Rng } = {},
  ) {
    super();
    checkSize('Embedding', 'num', num);
    checkSize('Embedding', 'dim', dim);
    this.weight = new Parameter(init.normal(zeros([num, dim]), 0, 1, opts.rng), { noDecay: true });
  }

  /** ids of any shape (...) -> vectors (..., dim). */
  forward(ids: Tensor | readonly number[] | Int32Array, shape?: readonly number[]): Tensor {
    return embedding(this.weight, ids, shape);
  }
}

export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    readonly dim: number,
    opts: { eps?: number; bias?: boolean; elementwiseAffine?: boolean } = {},
  ) {
    super();
    checkSize('LayerNorm', 'dim', dim);
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    // Norm gains and shifts are not weight-decayed: shrinking them toward 0 has no regularising meaning.
    this.weight = affine ? new Parameter(ones([dim]), { noDecay: true }) : null;
    this.bias = affine && opts.bias !== false ? new Parameter(zeros([dim]), { noDecay: true }) : null;
  }
  readonly eps: number;

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

export class RMSNorm extends Module {
  weight: Parameter;
  readonly eps: number;

  constructor(
    readonly dim: number,
    opts: { eps?: number } = {},
  ) {
    super();
    checkSize('RMSNorm', 'dim', dim);
    this.eps = opts.eps ?? 1e-6;
    this.weight = new Parameter(ones([dim]), { noDecay: true });
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}

/** Zeroes elements with probability p in training mode; identity in eval mode. */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    private readonly _rng: Rng = globalRng,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new LlmfsError(`Dropout: probability must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this._rng);
  }
}
