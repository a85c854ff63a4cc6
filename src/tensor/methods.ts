// The PyTorch-named methods of Tensor, so that `x.matmul(w).add(b)` and `loss.backward()` read
// as in the literature. Each forwards to an op function in ./ops (where the forward and its
// backward sit side by side) or to autograd.ts. TypeScript learns of them by declaration merging
// (the `declare module` block); tensor.ts imports this file, so every Tensor has them.

import { Tensor, type TensorLike } from './tensor-core.js';
import { type BackwardOptions, runBackward } from './autograd.js';
import { formatTensor } from './format.js';
import * as elementwise from './ops/elementwise.js';
import * as unary from './ops/unary.js';
import * as reductions from './ops/reduce.js';
import * as views from './ops/view.js';
import * as layout from './ops/layout.js';
import * as indexing from './ops/indexing.js';
import { matmul } from './ops/matmul.js';
import { softmax, logSoftmax } from './ops/softmax.js';

declare module './tensor-core.js' {
  interface Tensor {
    toString(): string;
    /** Computes gradients of this tensor with respect to every leaf that requires grad. */
    backward(grad?: Tensor, opts?: BackwardOptions): void;
    // Elementwise, with broadcasting.
    add(o: TensorLike): Tensor;
    sub(o: TensorLike): Tensor;
    mul(o: TensorLike): Tensor;
    div(o: TensorLike): Tensor;
    pow(o: TensorLike): Tensor;
    maximum(o: TensorLike): Tensor;
    minimum(o: TensorLike): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    logSigmoid(): Tensor;
    relu(): Tensor;
    gelu(approximate?: unary.GeluApproximation): Tensor;
    silu(): Tensor;
    clamp(min: number | null, max?: number | null): Tensor;
    // Reductions over one or more axes (all when omitted).
    sum(axis?: reductions.Axes, keepdim?: boolean): Tensor;
    mean(axis?: reductions.Axes, keepdim?: boolean): Tensor;
    var(axis?: reductions.Axes, keepdim?: boolean, correction?: number): Tensor;
    max(axis?: number, keepdim?: boolean): Tensor;
    min(axis?: number, keepdim?: boolean): Tensor;
    argmax(axis?: number, keepdim?: boolean): Tensor;
    // Shape views (share storage) and layout copies.
    reshape(...shape: number[]): Tensor;
    view(...shape: number[]): Tensor;
    squeeze(axis?: number): Tensor;
    unsqueeze(axis: number): Tensor;
    flatten(startAxis?: number, endAxis?: number): Tensor;
    transpose(a?: number, b?: number): Tensor;
    permute(...axes: number[]): Tensor;
    contiguous(): Tensor;
    narrow(axis: number, start: number, length: number): Tensor;
    indexSelect(axis: number, indices: indexing.IndexLike): Tensor;
    gather(axis: number, index: Tensor): Tensor;
    matmul(o: Tensor): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}

Tensor.prototype.toString = function (this: Tensor) {
  return formatTensor(this);
};
Tensor.prototype.backward = function (this: Tensor, grad?: Tensor, opts?: BackwardOptions) {
  runBackward(this, grad, opts);
};

// Elementwise, with broadcasting.
Tensor.prototype.add = function (this: Tensor, o: TensorLike) {
  return elementwise.add(this, o);
};
Tensor.prototype.sub = function (this: Tensor, o: TensorLike) {
  return elementwise.sub(this, o);
};
Tensor.prototype.mul = function (this: Tensor, o: TensorLike) {
  return elementwise.mul(this, o);
};
Tensor.prototype.div = function (this: Tensor, o: TensorLike) {
  return elementwise.div(this, o);
};
Tensor.prototype.pow = function (this: Tensor, o: TensorLike) {
  return elementwise.pow(this, o);
};
Tensor.prototype.maximum = function (this: Tensor, o: TensorLike) {
  return elementwise.maximum(this, o);
};
Tensor.prototype.minimum = function (this: Tensor, o: TensorLike) {
  return elementwise.minimum(this, o);
};
Tensor.prototype.maskedFill = function (this: Tensor, mask: Tensor, value: number) {
  return elementwise.maskedFill(this, mask, value);
};
Tensor.prototype.neg = function (this: Tensor) {
  return unary.neg(this);
};
Tensor.prototype.exp = function (this: Tensor) {
  return unary.exp(this);
};
Tensor.prototype.log = function (this: Tensor) {
  return unary.log(this);
};
Tensor.prototype.sqrt = function (this: Tensor) {
  return unary.sqrt(this);
};
Tensor.prototype.rsqrt = function (this: Tensor) {
  return unary.rsqrt(this);
};
Tensor.prototype.abs = function (this: Tensor) {
  return unary.abs(this);
};
Tensor.prototype.tanh = function (this: Tensor) {
  return unary.tanh(this);
};
Tensor.prototype.sigmoid = function (this: Tensor) {
  return unary.sigmoid(this);
};
Tensor.prototype.logSigmoid = function (this: Tensor) {
  return unary.logSigmoid(this);
};
Tensor.prototype.relu = function (this: Tensor) {
  return unary.relu(this);
};
Tensor.prototype.gelu = function (this: Tensor, approximate: unary.GeluApproximation = 'none') {
  return unary.gelu(this, approximate);
};
Tensor.prototype.silu = function (this: Tensor) {
  return unary.silu(this);
};
Tensor.prototype.clamp = function (this: Tensor, min: number | null, max: number | null = null) {
  return unary.clamp(this, min, max);
};

// Reductions over one or more axes (all when omitted).
Tensor.prototype.sum = function (this: Tensor, axis?: reductions.Axes, keepdim = false) {
  return reductions.sum(this, axis, keepdim);
};
Tensor.prototype.mean = function (this: Tensor, axis?: reductions.Axes, keepdim = false) {
  return reductions.mean(this, axis, keepdim);
};
Tensor.prototype.var = function (this: Tensor, axis?: reductions.Axes, keepdim = false, correction = 1) {
  return reductions.variance(this, axis, keepdim, correction);
};
Tensor.prototype.max = function (this: Tensor, axis?: number, keepdim = false) {
  return reductions.max(this, axis, keepdim);
};
Tensor.prototype.min = function (this: Tensor, axis?: number, keepdim = false) {
  return reductions.min(this, axis, keepdim);
};
Tensor.prototype.argmax = function (this: Tensor, axis?: number, keepdim = false) {
  return reductions.argmax(this, axis, keepdim);
};

// Shape views (share storage) and layout copies.
Tensor.prototype.reshape = function (this: Tensor, ...shape: number[]) {
  return views.reshape(this, shape);
};
Tensor.prototype.view = function (this: Tensor, ...shape: number[]) {
  return views.reshape(this, shape);
};
Tensor.prototype.squeeze = function (this: Tensor, axis?: number) {
  return views.squeeze(this, axis);
};
Tensor.prototype.unsqueeze = function (this: Tensor, axis: number) {
  return views.unsqueeze(this, axis);
};
Tensor.prototype.flatten = function (this: Tensor, startAxis = 0, endAxis = -1) {
  return views.flatten(this, startAxis, endAxis);
};
Tensor.prototype.transpose = function (this: Tensor, a = -2, b = -1) {
  return layout.transpose(this, a, b);
};
Tensor.prototype.permute = function (this: Tensor, ...axes: number[]) {
  return layout.permute(this, axes);
};
Tensor.prototype.contiguous = function (this: Tensor) {
  return this;
};
Tensor.prototype.narrow = function (this: Tensor, axis: number, start: number, length: number) {
  return layout.narrow(this, axis, start, length);
};
Tensor.prototype.indexSelect = function (this: Tensor, axis: number, indices: indexing.IndexLike) {
  return indexing.indexSelect(this, axis, indices);
};
Tensor.prototype.gather = function (this: Tensor, axis: number, index: Tensor) {
  return indexing.gather(this, axis, index);
};
Tensor.prototype.matmul = function (this: Tensor, o: Tensor) {
  return matmul(this, o);
};
Tensor.prototype.softmax = function (this: Tensor, axis = -1) {
  return softmax(this, axis);
};
Tensor.prototype.logSoftmax = function (this: Tensor, axis = -1) {
  return logSoftmax(this, axis);
};
