// Parameter initialisers, in place and without recording gradients, as torch.nn.init.
// Xavier/Glorot (Glorot & Bengio, 2010): Var = gain² · 2 / (fan_in + fan_out).
// Kaiming/He (He et al., 2015): Var = gain² / fan, gain = sqrt(2 / (1 + a²)) for leaky ReLU.

import type { Tensor } from '../tensor/tensor.js';
import { type Rng, globalRng } from '../tensor/rng.js';
import { fmtShape } from '../tensor/shape.js';
import { LlmfsError } from '../errors.js';

export function normal(t: Tensor, mean = 0, std = 1, rng: Rng = globalRng): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.normal();
  return t;
}

export function uniform(t: Tensor, low = 0, high = 1, rng: Rng = globalRng): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.random();
  return t;
}

export function constant(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export const zeros = (t: Tensor) => constant(t, 0);
export const ones = (t: Tensor) => constant(t, 1);

/** fan_in and fan_out of a weight (out, in, ...receptive field). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2)
    throw new LlmfsError(
      `init: fan in/out need a tensor with at least 2 dimensions, got ${fmtShape(t.shape)}`,
    );
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

export function xavierUniform(t: Tensor, gain = 1, rng: Rng = globalRng): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, rng);
}

export function xavierNormal(t: Tensor, gain = 1, rng: Rng = globalRng): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (0 for ReLU). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  rng?: Rng;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t);
  const a = opts.a ?? 0;
  const gain = Math.sqrt(2 / (1 + a * a));
  return gain / Math.sqrt(opts.mode === 'fanOut' ? fanOut : fanIn);
}

export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform(t, -bound, bound, opts.rng);
}

export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, opts), opts.rng);
}
