// Matrix products. matmul follows torch.matmul: (..., M, K) @ (..., K, N) -> (..., M, N) with
// broadcast batch axes; a 1-D operand is a vector. For C = A B the gradients are
//   dA = dC Bᵀ,  dB = Aᵀ dC
// computed with the backend's transpose flags, so no transposed copy is ever made.
// linear(x, W, b) = x Wᵀ + b, with W stored (out, in) as in torch.nn.Linear.

import { Tensor } from '../tensor-core.js';
import { allocateOverwritten, promote } from '../dtype.js';
import { broadcastShapes, broadcastStrides, numel, fmtShape } from '../shape.js';
import { getBackend } from '../../kernels/backend.js';
import { sumToShape } from './broadcast.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'matmul-backward' (chapter 1): the gradients of C = A B for A (..., M, K),
     * B (..., K, N) given dL/dC (...batch, M, N), where batch is the broadcast of A's and B's
     * batch axes: dA = dC Bᵀ (...batch, M, K) and dB = Aᵀ dC (...batch, K, N), in the broadcast
     * batch shape (the op then sums each back to its input's shape). Null for an input that needs
     * no gradient.
     */
    matmulBackward(a: Tensor, b: Tensor, grad: Tensor): [Tensor | null, Tensor | null];
  }
}

/**
 * For each batch index of `batch`, C[b] (+)= op(A[b]) op(B[b]); A and B batches broadcast.
 * Sizes are gemm's: C is (M, N), op(A) is (M, K), op(B) is (K, N).
 */
function batchedGemm(
  a: Tensor['data'],
  aBatch: readonly number[],
  transA: boolean,
  b: Tensor['data'],
  bBatch: readonly number[],
  transB: boolean,
  batch: readonly number[],
  M: number,
  N: number,
  K: number,
): Tensor['data'] {
  // every (M, N) block is written by a gemm without accumulate: no zero-fill needed
  const out = allocateOverwritten(
    a instanceof Float64Array || b instanceof Float64Array ? 'float64' : 'float32',
    numel(batch) * M * N,
  );
  const sa = broadcastStrides(aBatch, batch);
  const sb = broadcastStrides(bBatch, batch);
  const nb = numel(batch);
  const idx = new Array<number>(batch.length).fill(0);
  const be = getBackend();
  for (let i = 0; i < nb; i++) {
    let ai = 0;
    let bi = 0;
    for (let d = 0; d < batch.length; d++) {
      ai += idx[d] * sa[d];
      bi += idx[d] * sb[d];
    }
    be.gemm({
      transA,
      transB,
      M,
      N,
      K,
      a,
      aOffset: ai * M * K,
      b,
      bOffset: bi * K * N,
      c: out,
      cOffset: i * M * N,
      accumulate: false,
    });
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// For C = A B: dA = dC Bᵀ, dB = Aᵀ dC, in the broadcast batch shape (matmul sums them back).
const matmulBackward = exercisable(
  'matmulBackward',
  (a: Tensor, b: Tensor, g: Tensor): [Tensor | null, Tensor | null] => {
    const [M, K] = a.shape.slice(-2);
    const N = b.shape[b.ndim - 1];
    const aBatch = a.shape.slice(0, -2);
    const bBatch = b.shape.slice(0, -2);
    const batch = g.shape.slice(0, -2);
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) {
      // dA = dC Bᵀ: (M, N) x (N, K), B stored (K, N) is Bᵀ stored transposed
      const d = batchedGemm(g.data, batch, false, b.data, bBatch, true, batch, M, K, N);
      ga = new Tensor(d, [...batch, M, K]);
    }
    if (b.requiresGrad) {
      // dB = Aᵀ dC: (K, M) x (M, N), A stored (M, K)
      const d = batchedGemm(a.data, aBatch, true, g.data, batch, false, batch, K, N, M);
      gb = new Tensor(d, [...batch, K, N]);
    }
    return [ga, gb];
  },
);

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new LlmfsError(
      `matmul: both operands need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ` +
        `${fmtShape(b.shape)}`,
    );
  }
  if (a.ndim === 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  if (b.ndim === 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  const [M, K] = a.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  if (K !== K2) {
    throw new LlmfsError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not align: inner sizes ${K} and ` +
        `${K2} differ`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', aBatch, bBatch);
  const data = batchedGemm(a.data, aBatch, false, b.data, bBatch, false, batch, M, N, K);
  return Tensor.fromOp('matmul', data, [...batch, M, N], [a, b], (g) => {
    const [ga, gb] = matmulBackward(a, b, g);
    return [
      ga && a.requiresGrad ? sumToShape(ga, a.shape) : null,
      gb && b.requiresGrad ? sumToShape(gb, b.shape) : null,
    ];
  });
}

/** y = x Wᵀ + b for x (..., in), W (out, in), b (out) or null: a fully connected layer. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  if (w.ndim !== 2) throw new LlmfsError(`linear: weight must be 2-D (out, in), got ${fmtShape(w.shape)}`);
  const [nOut, nIn] = w.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== nIn) {
    throw new LlmfsError(
      `linear: input of shape ${fmtShape(x.shape)} does not match weight ${fmtShape(w.shape)}: last size ` +
        `must be ${nIn}`,
    );
  }
  if (b && (b.ndim !== 1 || b.shape[0] !== nOut)) {
    throw new LlmfsError(`linear: bias of shape ${fmtShape(b.shape)} must be (${nOut})`);
  }
  const rows = x.size / nIn;
  const be = getBackend();
  // y is written in full: by the bias rows and then gemm += x Wᵀ, or by gemm = x Wᵀ
  const y = allocateOverwritten(promote(x.dtype, w.dtype), rows * nOut);
  if (b) for (let r = 0; r < rows; r++) y.set(b.data, r * nOut);
  // (rows, in) x (in, out): W stored (out, in) is Wᵀ transposed.
  be.gemm({
    transA: false,
    transB: true,
    M: rows,
    N: nOut,
    K: nIn,
    a: x.data,
    aOffset: 0,
    b: w.data,
    bOffset: 0,
    c: y,
    cOffset: 0,
    accumulate: b !== null,
  });
  const inputs = b ? [x, w, b] : [x, w];
  return Tensor.fromOp('linear', y, [...x.shape.slice(0, -1), nOut], inputs, (g) => {
    const grads: (Tensor | null)[] = [null, null, null];
    if (x.requiresGrad) {
      // dx = dy W: (rows, out) x (out, in)
      const dx = allocateOverwritten(g.dtype, x.size); // gemm without accumulate writes all
      be.gemm({
        transA: false,
        transB: false,
        M: rows,
        N: nIn,
        K: nOut,
        a: g.data,
        aOffset: 0,
        b: w.data,
        bOffset: 0,
        c: dx,
        cOffset: 0,
        accumulate: false,
      });
      grads[0] = new Tensor(dx, x.shape);
    }
    if (w.requiresGrad) {
      // dW = dyᵀ x: (out, rows) x (rows, in)
      const dw = allocateOverwritten(g.dtype, w.size);
      be.gemm({
        transA: true,
        transB: false,
        M: nOut,
        N: nIn,
        K: rows,
        a: g.data,
        aOffset: 0,
        b: x.data,
        bOffset: 0,
        c: dw,
        cOffset: 0,
        accumulate: false,
      });
      grads[1] = new Tensor(dw, w.shape);
    }
    if (b && b.requiresGrad) grads[2] = sumToShape(g, b.shape);
    return grads.slice(0, inputs.length);
  });
}
