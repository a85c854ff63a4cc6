// The Tensor: an n-dimensional array of floats (contiguous, row-major) plus what autograd needs:
// `requiresGrad`, the accumulated `.grad`, and `node`, the op that made it. Methods mirror
// PyTorch's names so `x.matmul(w).add(b)` reads as in the literature; each forwards to an op
// function in ./ops, where the forward and its backward are written side by side.

import { LlmfsError } from '../errors.js';
import { type DType, type FloatArray, allocate, dtypeOf } from './dtype.js';
import { type Shape, numel, fmtShape, checkShape, stridesOf } from './shape.js';
import { getBackend } from '../kernels/backend.js';
import { type Node, type BackwardOptions, isGradEnabled, runBackward } from './autograd.js';
import { formatTensor } from './format.js';
import * as elementwise from './ops/elementwise.js';
import * as unary from './ops/unary.js';
import * as reductions from './ops/reduce.js';
import * as views from './ops/view.js';
import * as layout from './ops/layout.js';
import * as indexing from './ops/indexing.js';
import { matmul } from './ops/matmul.js';
import { softmax, logSoftmax } from './ops/softmax.js';

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
      throw new LlmfsError(`Tensor: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${numel(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  /**
   * The result of an op: records the autograd node when grad mode is on and any input requires
   * grad. `backward` maps the output gradient to one gradient per input.
   */
  static fromOp(op: string, data: FloatArray, shape: Shape, inputs: Tensor[], backward: Node['backward']): Tensor {
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
    if (this.size !== 1) throw new LlmfsError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
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

  toString(): string {
    return formatTensor(this);
  }

  /** Computes gradients of this tensor with respect to every leaf that requires grad. */
  backward(grad?: Tensor, opts?: BackwardOptions): void {
    runBackward(this, grad, opts);
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
    if (!this.isLeaf) throw new LlmfsError('requireGrad: only leaf tensors can change requiresGrad; use detach() first');
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

  // Elementwise, with broadcasting.
  add(o: TensorLike): Tensor { return elementwise.add(this, o); }
  sub(o: TensorLike): Tensor { return elementwise.sub(this, o); }
  mul(o: TensorLike): Tensor { return elementwise.mul(this, o); }
  div(o: TensorLike): Tensor { return elementwise.div(this, o); }
  pow(o: TensorLike): Tensor { return elementwise.pow(this, o); }
  maximum(o: TensorLike): Tensor { return elementwise.maximum(this, o); }
  minimum(o: TensorLike): Tensor { return elementwise.minimum(this, o); }
  maskedFill(mask: Tensor, value: number): Tensor { return elementwise.maskedFill(this, mask, value); }
  neg(): Tensor { return unary.neg(this); }
  exp(): Tensor { return unary.exp(this); }
  log(): Tensor { return unary.log(this); }
  sqrt(): Tensor { return unary.sqrt(this); }
  rsqrt(): Tensor { return unary.rsqrt(this); }
  abs(): Tensor { return unary.abs(this); }
  tanh(): Tensor { return unary.tanh(this); }
  sigmoid(): Tensor { return unary.sigmoid(this); }
  relu(): Tensor { return unary.relu(this); }
  gelu(approximate: unary.GeluApproximation = 'none'): Tensor { return unary.gelu(this, approximate); }
  silu(): Tensor { return unary.silu(this); }
  clamp(min: number | null, max: number | null = null): Tensor { return unary.clamp(this, min, max); }

  // Reductions over one or more axes (all when omitted).
  sum(axis?: reductions.Axes, keepdim = false): Tensor { return reductions.sum(this, axis, keepdim); }
  mean(axis?: reductions.Axes, keepdim = false): Tensor { return reductions.mean(this, axis, keepdim); }
  var(axis?: reductions.Axes, keepdim = false, correction = 1): Tensor {
    return reductions.variance(this, axis, keepdim, correction);
  }
  max(axis?: number, keepdim = false): Tensor { return reductions.max(this, axis, keepdim); }
  min(axis?: number, keepdim = false): Tensor { return reductions.min(this, axis, keepdim); }
  argmax(axis?: number, keepdim = false): Tensor { return reductions.argmax(this, axis, keepdim); }

  // Shape views (share storage) and layout copies.
  reshape(...shape: number[]): Tensor { return views.reshape(this, shape); }
  view(...shape: number[]): Tensor { return views.reshape(this, shape); }
  squeeze(axis?: number): Tensor { return views.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return views.unsqueeze(this, axis); }
  flatten(startAxis = 0, endAxis = -1): Tensor { return views.flatten(this, startAxis, endAxis); }
  transpose(a = -2, b = -1): Tensor { return layout.transpose(this, a, b); }
  permute(...axes: number[]): Tensor { return layout.permute(this, axes); }
  contiguous(): Tensor { return this; }
  narrow(axis: number, start: number, length: number): Tensor {
    return layout.narrow(this, axis, start, length);
  }
  indexSelect(axis: number, indices: indexing.IndexLike): Tensor {
    return indexing.indexSelect(this, axis, indices);
  }
  gather(axis: number, index: Tensor): Tensor { return indexing.gather(this, axis, index); }

  matmul(o: Tensor): Tensor { return matmul(this, o); }
  softmax(axis = -1): Tensor { return softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return logSoftmax(this, axis); }
}
