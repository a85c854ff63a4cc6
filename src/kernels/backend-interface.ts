// The kernel backend's interface: the numeric loops behind the ops, on flat arrays, with no knowledge of
// tensors or autograd. Ops call `getBackend()`; a faster backend (WebAssembly SIMD, threads)
// overrides some methods and inherits the rest from the plain reference backend, so adding a
// backend touches no op. Selecting a backend changes speed, never results beyond float tolerance.
//
// Which loops go through this door, and which may stay in the ops (src/tensor/ops):
// - Through the backend: arithmetic over tensor data whose cost grows with the data, the work a
//   faster backend exists to do: matrix products (matmul, linear), broadcast binary arithmetic
//   (add ... minimum, and with it gradient accumulation and dropout's mask multiply), sums over
//   an axis (sum, mean, the gradient of a broadcast), the softmax family (softmax, log-softmax,
//   cross-entropy's gradient), layer norm, the fused GELU, attention, optimizer updates (AdamW).
// - May stay in the ops: layout copies (permute, narrow, cat), indexing, gathers and scatters
//   (embedding lookups and their gradient scatter-add, cross-entropy picking the target's
//   log-probability), selection by comparison or mask (max/min/argmax, where, maskedFill),
//   shape bookkeeping, drawing random numbers (dropout's mask, in the seeded RNG's order), and
//   scalar work per row (a loss's final mean).
// - Not yet here: the elementwise functions of one tensor (tensor/ops/unary.ts: exp, log, tanh,
//   sigmoid, relu, silu, the exact GELU) are scalar closures written beside their derivatives.
//   They are the next candidates (a `unary(op)` kernel) when a backend wants them.

import type { FloatArray } from './dtype.js';

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

/** Sizes and masking of one fused attention call (see Backend.attentionForward). */
export interface AttentionDims {
  B: number;
  Tq: number;
  Tk: number;
  /** Query heads, and key/value heads (nkv divides nh: grouped-query attention when smaller). */
  nh: number;
  nkv: number;
  hs: number;
  /** Multiplies q·k (usually 1/sqrt(hs)). */
  scale: number;
  /** Causal: query i (absolute position Tk - Tq + i) sees keys 0..Tk-Tq+i. */
  causal: boolean;
  /** (B, Tk) with 1 = may attend, or null. */
  keyMask: FloatArray | null;
}

// --- Sparse attention (issue 18) ---
/** Which keys each query sees, as compressed rows: query i's keys are keys[offsets[i] .. offsets[i+1]). */
export interface KeyLists {
  /** Tq + 1 ascending offsets into `keys`. */
  offsets: Int32Array;
  /** Key indices 0..Tk-1, ascending within a query's row. */
  keys: Int32Array;
}

/** Sizes of one sparse attention call (see Backend.sparseAttentionForward). */
export interface SparseAttentionDims {
  B: number;
  Tq: number;
  Tk: number;
  nh: number;
  nkv: number;
  hs: number;
  scale: number;
  /** The same key lists for every batch row and head. */
  lists: KeyLists;
  /** (B, Tk) with 1 = may attend, or null. */
  keyMask: FloatArray | null;
}

/**
 * A quantized weight matrix Ŵ (rows = out, cols = in), in the layouts of src/quant/int8.ts (one
 * int8 code per weight, one scale per row) or src/quant/int4.ts (4-bit codes two per byte, low
 * nibble first, one scale and optional zero point per group of `groupSize` along a row). The
 * kernels treat it as frozen: a backend may keep a copy of the codes (keyed by these arrays).
 */
export type QuantMatrix =
  | { rows: number; cols: number; q: Int8Array; scales: Float32Array }
  | {
      rows: number;
      cols: number;
      groupSize: number;
      packed: Uint8Array;
      scales: Float32Array;
      zeros: Uint8Array | null;
    };

/** y = x Ŵᵀ for x (M, K) and Ŵ (N, K) quantized: the product behind every quantized Linear. */
export interface QuantGemmArgs {
  M: number;
  /** x (M, K), row-major from xOffset, K = w.cols. */
  x: FloatArray;
  xOffset: number;
  w: QuantMatrix;
  /** y (M, N), row-major from yOffset, N = w.rows; overwritten. */
  y: FloatArray;
  yOffset: number;
}

export interface Backend {
  readonly name: string;
  /** General matrix multiply C (+)= op(A) op(B) on row-major blocks. */
  gemm(args: GemmArgs): void;
  /** y = x Ŵᵀ with Ŵ quantized, equal to dequantizing Ŵ then gemm, up to float rounding. */
  quantGemm(args: QuantGemmArgs): void;
  /**
   * out[i] = a[i·] op b[i·] over `outShape`, reading a and b through broadcast strides. out may
   * be a or b itself (in place) when that operand has the full shape and row-major strides.
   */
  binary(
    op: BinaryOp,
    a: FloatArray,
    aStrides: readonly number[],
    b: FloatArray,
    bStrides: readonly number[],
    out: FloatArray,
    outShape: readonly number[],
  ): void;
  /** out (outer, inner) = the sum of x (outer, n, inner) over its middle axis. */
  sumAxis(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void;
  /** Row-wise softmax over the last axis of a (rows, cols) block. */
  softmaxForward(x: FloatArray, y: FloatArray, rows: number, cols: number): void;
  /** dx = y (dy - sum(dy y)) row-wise. */
  softmaxBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, rows: number, cols: number): void;
  /** Row-wise log-softmax. */
  logSoftmaxForward(x: FloatArray, y: FloatArray, rows: number, cols: number): void;
  /** dx = dy - softmax · sum(dy) row-wise, with softmax = exp(y). */
  logSoftmaxBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, rows: number, cols: number): void;
  /** Layer norm over rows; writes y and the per-row mean and 1/std for the backward pass. */
  layerNormForward(
    x: FloatArray,
    w: FloatArray | null,
    b: FloatArray | null,
    y: FloatArray,
    mean: FloatArray,
    rstd: FloatArray,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** Gradients of layer norm; dw and db are accumulated (may be null when not needed). */
  layerNormBackward(
    dy: FloatArray,
    x: FloatArray,
    w: FloatArray | null,
    mean: FloatArray,
    rstd: FloatArray,
    dx: FloatArray,
    dw: FloatArray | null,
    db: FloatArray | null,
    rows: number,
    cols: number,
  ): void;
  /** GELU, tanh approximation (GPT-2's "gelu_new"). */
  geluTanhForward(x: FloatArray, y: FloatArray): void;
  geluTanhBackward(x: FloatArray, dy: FloatArray, dx: FloatArray): void;
  /**
   * Fused scaled dot-product attention, out = softmax(q kᵀ · scale) v per head, without storing
   * the (Tq, Tk) score matrix. q (B, Tq, nh·hs), k and v (B, Tk, nkv·hs), heads side by side;
   * writes out (B, Tq, nh·hs) and lse (B, nh, Tq), each score row's log-sum-exp (-inf for a row
   * that sees no key, whose output is 0), which the backward uses to recompute the weights.
   */
  attentionForward(
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    out: FloatArray,
    lse: FloatArray,
    d: AttentionDims,
  ): void;
  /**
   * Gradients of attentionForward from dout (B, Tq, nh·hs), given its out and lse: dq like q,
   * dk and dv like k and v. The three are accumulated into, so the caller passes zeroed arrays.
   */
  attentionBackward(
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    out: FloatArray,
    lse: FloatArray,
    dout: FloatArray,
    dq: FloatArray,
    dk: FloatArray,
    dv: FloatArray,
    d: AttentionDims,
  ): void;
  // --- Sparse attention (issue 18) ---
  /**
   * Attention over the listed keys only, softmax(q kᵀ · scale) v with every unlisted key blocked,
   * in time proportional to the lists' length: layouts and lse as attentionForward.
   */
  sparseAttentionForward(
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    out: FloatArray,
    lse: FloatArray,
    d: SparseAttentionDims,
  ): void;
  /** Gradients of sparseAttentionForward, accumulated into zeroed dq, dk, dv as attentionBackward. */
  sparseAttentionBackward(
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    out: FloatArray,
    lse: FloatArray,
    dout: FloatArray,
    dq: FloatArray,
    dk: FloatArray,
    dv: FloatArray,
    d: SparseAttentionDims,
  ): void;
  /**
   * One AdamW step in place on a parameter array p with gradient g and moments m, v, at step
   * `step` (1-based): decoupled weight decay, bias correction as torch.optim.AdamW.
   */
  adamw(
    p: FloatArray,
    g: FloatArray,
    m: FloatArray,
    v: FloatArray,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
  ): void;
  /**
   * Zero-filled float32 storage that lives until released, placed where this backend's
   * kernels use it without copies (wasm memory), or null when the backend has no such place.
   * For parameters, optimizer moments and arena buffers, never for temporaries.
   */
  allocPersistent(size: number): Float32Array | null;
  /** Gives storage from allocPersistent back for reuse (ignores any other array); optional. */
  releasePersistent?(x: Float32Array): void;
}
