// Loading the kernel module: pick the build the runtime can run. Relaxed SIMD (one fused
// multiply-add per f32x4.relaxed_madd) is detected by validating the relaxed build itself, as
// Node 20 keeps it behind a flag; shared memory (for threads) needs SharedArrayBuffer.

import * as binaries from './binaries.generated.js';

/** The functions the AssemblyScript module exports (see assembly/index.ts). */
export interface KernelExports {
  heapBase(): number;
  gemmWorkspaceBytes(): number;
  gemmTileRows(): number;
  gemm(
    M: number,
    N: number,
    K: number,
    a: number,
    rsA: number,
    csA: number,
    b: number,
    rsB: number,
    csB: number,
    c: number,
    ldc: number,
    work: number,
    accumulate: number,
  ): void;
  gemvT(
    M: number,
    N: number,
    K: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
  ): void;
  /** gemvT for a weight that sits in cache: four rows side by side (assembly/gemv.ts). */
  gemvT4: KernelExports['gemvT'];
  gemvN(
    M: number,
    N: number,
    K: number,
    a: number,
    rsA: number,
    csA: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
  ): void;
  /** y = x Ŵᵀ over weight rows j0..j1, Ŵ int8 with row scales (assembly/quant.ts). */
  qgemmInt8(
    M: number,
    K: number,
    x: number,
    ldx: number,
    q: number,
    s: number,
    y: number,
    ldy: number,
    j0: number,
    j1: number,
  ): void;
  /** y = x Ŵᵀ over weight rows j0..j1, Ŵ int4 in groups of G (16 | G), zeros at z or 0. */
  qgemmInt4(
    M: number,
    K: number,
    G: number,
    x: number,
    ldx: number,
    p: number,
    s: number,
    z: number,
    y: number,
    ldy: number,
    j0: number,
    j1: number,
  ): void;
  /** x reordered for qgemmInt4 with 32 | G: each block of 32 as [x at even k, x at odd k]. */
  int4SplitX(M: number, K: number, x: number, ldx: number, xs: number): void;
  /** xq (M×K codes in [-127, 127], stored as i16) and t (M): x quantized per row, t = max|x| / 127. */
  quantizeRowsInt8(M: number, K: number, x: number, ldx: number, xq: number, t: number): void;
  /** y = (t_i s_j) Σ_k xq(i, k) q(j, k) over weight rows j0..j1, in integer sums. */
  qgemmInt8Q8(
    M: number,
    K: number,
    xq: number,
    t: number,
    q: number,
    s: number,
    y: number,
    ldy: number,
    j0: number,
    j1: number,
  ): void;
  /** out (outer, inner) = Σ_k x (outer, n, inner) over the middle axis (assembly/reduce.ts). */
  sumAxis(x: number, out: number, outer: number, n: number, inner: number): void;
  dequantInt8(N: number, K: number, q: number, s: number, out: number): void;
  dequantInt4(N: number, K: number, G: number, p: number, s: number, z: number, out: number): void;
  /** The tiled attention's row-wise steps (assembly/attention.ts); lse is float32 here. */
  attnSoftmaxRows(
    s: number,
    nq: number,
    nk: number,
    last0: number,
    step: number,
    mask: number,
    scale: number,
    lse: number,
  ): void;
  attnRecomputeP(
    s: number,
    nq: number,
    nk: number,
    last0: number,
    step: number,
    mask: number,
    scale: number,
    lse: number,
  ): void;
  attnGradScores(
    p: number,
    ds: number,
    nq: number,
    nk: number,
    dout: number,
    o: number,
    hs: number,
    scale: number,
  ): void;
  /** Attention of a few queries straight from the (B, T, n·hs) arrays (assembly/attention-direct.ts). */
  attnDirect(
    q: number,
    k: number,
    v: number,
    out: number,
    lse: number,
    B: number,
    Tq: number,
    Tk: number,
    nh: number,
    nkv: number,
    hs: number,
    scale: number,
    causal: boolean,
    mask: number,
    s: number,
  ): void;
  /** Strided rows of one head to a contiguous tile, and back (written, or added when add is 1). */
  attnGather(src: number, stride: number, hs: number, rows: number, dst: number): void;
  attnScatter(dst: number, stride: number, hs: number, rows: number, src: number, add: number): void;
  softmaxForward(x: number, y: number, rows: number, cols: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  logSoftmaxForward(x: number, y: number, rows: number, cols: number): void;
  logSoftmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  layerNormForward(
    x: number,
    w: number,
    b: number,
    y: number,
    mean: number,
    rstd: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  layerNormBackward(
    dy: number,
    x: number,
    w: number,
    mean: number,
    rstd: number,
    dx: number,
    dw: number,
    db: number,
    rows: number,
    cols: number,
  ): void;
  geluTanhForward(x: number, y: number, n: number): void;
  geluTanhBackward(x: number, dy: number, dx: number, n: number): void;
  binary(
    op: number,
    a: number,
    aMode: number,
    b: number,
    bMode: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  /** Teaching steps towards gemm (assembly/ladder.ts), for the benchmark only. */
  ladderScalar(M: number, N: number, K: number, a: number, b: number, c: number): void;
  ladderSimd(M: number, N: number, K: number, a: number, b: number, c: number): void;
  ladderTiled(M: number, N: number, K: number, a: number, b: number, c: number): void;
  adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    eps: number,
    decay: number,
    stepSize: number,
    ibc2: number,
  ): void;
}

export interface KernelModule {
  module: WebAssembly.Module;
  /** 'relaxed' when f32x4.relaxed_madd is available, else 'simd'. */
  simd: 'relaxed' | 'simd';
  shared: boolean;
}

export const MAX_SHARED_PAGES = 32768; // must match scripts/build-wasm.mjs

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

export function hasSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(decode(binaries.simd));
}

export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(decode(binaries.relaxed));
}

export function hasSharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** Compiles the best build for this runtime (synchronously: allowed in Node for any size). */
export function compileKernels(opts: { shared: boolean; relaxed?: boolean }): KernelModule {
  const relaxed = (opts.relaxed ?? true) && hasRelaxedSimd();
  const key = opts.shared ? (relaxed ? 'relaxedShared' : 'simdShared') : relaxed ? 'relaxed' : 'simd';
  const module = new WebAssembly.Module(decode(binaries[key]));
  return { module, simd: relaxed ? 'relaxed' : 'simd', shared: opts.shared };
}

/** A memory for the kernels; `maxPages` (64 KiB each) caps it lower, as tests of a full heap do. */
export function newMemory(shared: boolean, maxPages?: number): WebAssembly.Memory {
  const initial = Math.min(64, maxPages ?? 64);
  return shared
    ? new WebAssembly.Memory({
        initial,
        maximum: Math.min(maxPages ?? MAX_SHARED_PAGES, MAX_SHARED_PAGES),
        shared: true,
      })
    : new WebAssembly.Memory(maxPages === undefined ? { initial } : { initial, maximum: maxPages });
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
