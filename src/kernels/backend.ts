// The kernel backend: the numeric loops behind the ops, on flat arrays, with no knowledge of
// tensors or autograd. Ops call `getBackend()`; a faster backend (WebAssembly SIMD, threads)
// overrides some methods and inherits the rest from the plain reference backend, so adding a
// backend touches no op. Selecting a backend changes speed, never results beyond float tolerance.

import type { FloatArray } from '../tensor/dtype.js';
import { jsBackend } from './js/index.js';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';

export interface GemmArgs {
  /** A is stored (K, M) when true, else (M, K). */
  transA: boolean;
  /** B is stored (N, K) when true, else (K, N). */
  transB: boolean;
  M: number;
  N: number;
  K: number;
  a: FloatArray;
  aOffset: number;
  b: FloatArray;
  bOffset: number;
  /** C (M, N), row-major. */
  c: FloatArray;
  cOffset: number;
  /** C += A·B when true, else C = A·B. */
  accumulate: boolean;
}

export interface Backend {
  readonly name: string;
  /** General matrix multiply C (+)= op(A) op(B) on row-major blocks. */
  gemm(args: GemmArgs): void;
  /** out[i] = a[i·] op b[i·] over `outShape`, reading a and b through broadcast strides. */
  binary(op: BinaryOp, a: FloatArray, aStrides: readonly number[], b: FloatArray, bStrides: readonly number[], out: FloatArray, outShape: readonly number[]): void;
  /** Row-wise softmax over the last axis of a (rows, cols) block. */
  softmaxForward(x: FloatArray, y: FloatArray, rows: number, cols: number): void;
  /** dx = y (dy - sum(dy y)) row-wise. */
  softmaxBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, rows: number, cols: number): void;
  /** Row-wise log-softmax. */
  logSoftmaxForward(x: FloatArray, y: FloatArray, rows: number, cols: number): void;
  /** dx = dy - softmax · sum(dy) row-wise, with softmax = exp(y). */
  logSoftmaxBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, rows: number, cols: number): void;
  /** Layer norm over rows; writes y and the per-row mean and 1/std for the backward pass. */
  layerNormForward(x: FloatArray, w: FloatArray | null, b: FloatArray | null, y: FloatArray, mean: FloatArray, rstd: FloatArray, rows: number, cols: number, eps: number): void;
  /** Gradients of layer norm; dw and db are accumulated (may be null when not needed). */
  layerNormBackward(dy: FloatArray, x: FloatArray, w: FloatArray | null, mean: FloatArray, rstd: FloatArray, dx: FloatArray, dw: FloatArray | null, db: FloatArray | null, rows: number, cols: number): void;
  /** GELU, tanh approximation (GPT-2's "gelu_new"). */
  geluTanhForward(x: FloatArray, y: FloatArray): void;
  geluTanhBackward(x: FloatArray, dy: FloatArray, dx: FloatArray): void;
  /**
   * One AdamW step in place on a parameter array p with gradient g and moments m, v, at step
   * `step` (1-based): decoupled weight decay, bias correction as torch.optim.AdamW.
   */
  adamw(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number): void;
  /**
   * Zero-filled float32 storage that lives until released, placed where this backend's
   * kernels use it without copies (wasm memory), or null when the backend has no such place.
   * For parameters, optimizer moments and arena buffers, never for temporaries.
   */
  allocPersistent(size: number): Float32Array | null;
  /** Gives storage from allocPersistent back for reuse (ignores any other array); optional. */
  releasePersistent?(x: Float32Array): void;
}

let current: Backend = jsBackend;

export function getBackend(): Backend {
  return current;
}

/** Installs a backend; missing methods fall back to the reference kernels. */
export function setBackend(backend: Partial<Backend> & { name: string }): void {
  current = { ...jsBackend, ...backend };
}

export function resetBackend(): void {
  current = jsBackend;
}
