// Ways to make a tensor: from (nested) arrays, filled with a constant, a range, or random
// values drawn from the one seeded generator (so the same seed gives the same tensors).

import { Tensor } from './tensor.js';
import { type DType, type FloatArray, allocate } from './dtype.js';
import { type Shape, numel, fmtShape, checkShape } from './shape.js';
import { type Rng, globalRng } from './rng.js';
import { LlmfsError } from '../errors.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  /** The generator to draw from (default: the global one, seeded by manualSeed). */
  rng?: Rng;
}

export type NestedArray = number | readonly NestedArray[];

/** A tensor from a number or nested arrays; the shape is read from the nesting. */
export function tensor(values: NestedArray | FloatArray, opts: CreateOptions = {}): Tensor {
  if (values instanceof Float32Array || values instanceof Float64Array)
    return fromArray(values, [values.length], opts);
  const shape: number[] = [];
  for (let v: NestedArray = values; Array.isArray(v); v = (v as readonly NestedArray[])[0])
    shape.push((v as readonly NestedArray[]).length);
  const flat: number[] = [];
  const walk = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number')
        throw new LlmfsError(
          `tensor: expected a number at depth ${dim}, found a nested array (ragged input)`,
        );
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new LlmfsError(
        `tensor: ragged nested array: expected ${shape[dim]} items at depth ${dim}, shape so far ` +
          `${fmtShape(shape)}`,
      );
    }
    for (const item of v as readonly NestedArray[]) walk(item, dim + 1);
  };
  walk(values, 0);
  return fromArray(flat, shape, opts);
}

/** A tensor of `shape` from flat row-major values (copied). */
export function fromArray(values: ArrayLike<number>, shape: Shape, opts: CreateOptions = {}): Tensor {
  checkShape('fromArray', shape);
  if (values.length !== numel(shape)) {
    throw new LlmfsError(
      `fromArray: got ${values.length} values for shape ${fmtShape(shape)}, which needs ${numel(shape)}`,
    );
  }
  const data = allocate(opts.dtype ?? 'float32', values.length);
  data.set(values);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  checkShape('full', shape);
  return new Tensor(
    allocate(opts.dtype ?? 'float32', numel(shape)).fill(value),
    shape,
    opts.requiresGrad ?? false,
  );
}

export const zeros = (shape: Shape, opts: CreateOptions = {}) => full(shape, 0, opts);
export const ones = (shape: Shape, opts: CreateOptions = {}) => full(shape, 1, opts);

/** Values start, start+step, ... below stop (one argument: 0..stop-1), as torch.arange. */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step))
    throw new LlmfsError(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(opts.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], opts.requiresGrad ?? false);
}

/** The n x n identity matrix. */
export function eye(n: number, opts: CreateOptions = {}): Tensor {
  const t = zeros([n, n], opts);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}

function random(op: string, shape: Shape, opts: RandomOptions, draw: (rng: Rng) => number): Tensor {
  checkShape(op, shape);
  const rng = opts.rng ?? globalRng;
  const data = allocate(opts.dtype ?? 'float32', numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** Standard normal samples (mean 0, std 1). */
export const randn = (shape: Shape, opts: RandomOptions = {}) =>
  random('randn', shape, opts, (r) => r.normal());
/** Uniform samples in [0, 1). */
export const rand = (shape: Shape, opts: RandomOptions = {}) =>
  random('rand', shape, opts, (r) => r.random());

/** Uniform integers in [low, high). */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new LlmfsError(`randint: need integers low < high, got ${low} and ${high}`);
  }
  return random('randint', shape, opts, (r) => r.randint(low, high));
}
