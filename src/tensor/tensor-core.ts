// The Tensor's data and its autograd record: an n-dimensional array of floats (contiguous,
// row-major), `requiresGrad`, the accumulated `.grad`, and `node`, the op that made it. The
// PyTorch-named methods (`x.matmul(w).add(b)`, `loss.backward()`) are attached in methods.ts,
// one line each forwarding to an op in ./ops; import Tensor from tensor.ts, which adds them.
// (The split keeps the imports one-way: ops use this class, and nothing here uses an op.)

import { LlmfsError } from '../errors.js';
import { type DType, type FloatArray, allocate, dtypeOf } from './dtype.js';
import { type Shape, numel, fmtShape, checkShape, stridesOf } from './shape.js';
import { getBackend } from '../kernels/backend.js';
import { isGradEnabled } from './grad-mode.js';

/** The autograd record of an op's output (see autograd.ts). */
export interface Node {
  /** The op's name, for error messages and graph printing. */
  op: string;
  inputs: Tensor[];
  /** Given dL/d(output), returns dL/d(input) for each input (null where no gradient flows). */
  backward: (grad: Tensor) => (Tensor | null)[];
}

export type TensorLike = Tensor | number;

export class Tensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
  requiresGrad: boolean;
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and for tensors made without grad). */
  node: Node | null = null;
  /** Keep `.grad` on this non-leaf tensor during backward (for inspection while learning). */
  retainsGrad = false;

  constructor(data: FloatArray, shape: Shape, requiresGrad = false) {
    checkShape('Tensor', shape);
    if (data.length !== numel(shape)) {
      throw new LlmfsError(
        `Tensor: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${numel(shape)}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  /**
   * The result of an op: records the autograd node when grad mode is on and any input requires
   * grad. `backward` maps the output gradient to one gradient per input.
   */
  static fromOp(
    op: string,
    data: FloatArray,
    shape: Shape,
    inputs: Tensor[],
    backward: Node['backward'],
  ): Tensor {
    const t = new Tensor(data, shape);
    if (isGradEnabled() && inputs.some((x) => x.requiresGrad)) {
      t.requiresGrad = true;
      t.node = { op, inputs, backward };
    }
    return t;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** The number of elements. */
  get size(): number {
    return this.data.length;
  }
  /** True for tensors created by the user rather than by an op (parameters, inputs). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new LlmfsError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    return this.data[0];
  }

  /** Nested JavaScript arrays (a plain number for a 0-d tensor). */
  toArray(): unknown {
    if (this.ndim === 0) return this.data[0];
    const build = (dim: number, offset: number): unknown[] => {
      const n = this.shape[dim];
      const stride = numel(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? this.data[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** A flat copy of the values as a plain array. */
  toList(): number[] {
    return Array.from(this.data);
  }

  /** Adds `g` into `.grad` (gradients accumulate across backward calls until zeroed). */
  accumulateGrad(g: Tensor): void {
    if (this.grad === null) this.grad = new Tensor(g.data.slice(), this.shape);
    else {
      const d = this.grad.data; // grad += g in place, on the backend
      const strides = stridesOf(this.shape);
      getBackend().binary('add', d, strides, g.data, strides, d, this.shape);
    }
  }

  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Marks this leaf as a trainable input (like PyTorch's requires_grad_()). */
  requireGrad(flag = true): this {
    if (!this.isLeaf)
      throw new LlmfsError('requireGrad: only leaf tensors can change requiresGrad; use detach() first');
    this.requiresGrad = flag;
    return this;
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /** The same values, cut from the graph: no gradient flows through the result. Shares storage. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage (gradient flows through). */
  clone(): Tensor {
    return Tensor.fromOp('clone', this.data.slice(), this.shape, [this], (g) => [g]);
  }

  /** A copy converted to another dtype (gradient flows back, converted). */
  to(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    const out = allocate(dtype, this.size);
    out.set(this.data);
    const from = this.dtype;
    return Tensor.fromOp('to', out, this.shape, [this], (g) => [g.to(from)]);
  }

  zerosLike(): Tensor {
    return new Tensor(allocate(this.dtype, this.size), this.shape);
  }
  onesLike(): Tensor {
    return new Tensor(allocate(this.dtype, this.size).fill(1), this.shape);
  }
}
