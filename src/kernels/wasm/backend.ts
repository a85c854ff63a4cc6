// The fast backend: WebAssembly SIMD kernels (built from assembly/ by AssemblyScript) with an
// optional pool of threads for large gemms and large row-wise calls, and attention in tiles on
// that gemm. Methods it does
// not speed up, and float64 inputs, fall through to the reference kernels in ../js, so results
// differ only by float rounding.

import type { Backend, GemmArgs, QuantGemmArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import {
  compileKernels,
  hasSharedMemory,
  hasSimd,
  instantiate,
  newMemory,
  type KernelExports,
} from './module.js';
import { WasmHeap } from './heap.js';
import { wasmGemm, type GemmContext } from './gemm.js';
import { wasmKernels, type Thresholds } from './calls.js';
import { tiledAttention } from './tiled-attention.js';
import { wasmRows } from './tiled-attention-rows.js';
import { wasmDirect } from './direct-attention.js';
import { newQuantContext, wasmQuantGemm } from './quant.js';
import { ThreadPool, type SpawnWorker } from '../threads/pool.js';
import { threadedRowKernels } from '../threads/rows.js';

export interface WasmBackendOptions {
  /**
   * Threads for large gemms and row-wise calls, the caller's included; 1 (the default) starts
   * no workers.
   */
  threads?: number;
  /** Makes a worker running src/kernels/threads/worker.mjs; required when threads > 1. */
  spawnWorker?: SpawnWorker;
  /** Use the relaxed-SIMD build when the runtime supports it (default true). */
  relaxed?: boolean;
  /** Row-wise and elementwise calls on fewer elements stay in JS (default: measured break-even). */
  thresholds?: Thresholds;
  /**
   * Keep parameters, optimizer moments and arena buffers in wasm memory, so kernels use them
   * without copies (default true). Needs a shared memory (SharedArrayBuffer), which never
   * detaches its views when it grows; without one every call copies, as before.
   */
  zeroCopy?: boolean;
  /**
   * Caps the wasm memory at this many 64 KiB pages (default: 2 GiB shared, 4 GiB unshared). A
   * full memory is never an error: storage and kernel scratch fall back to ordinary memory.
   */
  maxMemoryPages?: number;
  /**
   * Opt-in, changes results: products with an int8 weight quantize x per row to int8 too and run
   * in integer dot products, as llama.cpp's Q8_0 does (kernels/wasm/quant.ts). Default false:
   * every product equals the reference to float tolerance.
   */
  int8Activations?: boolean;
}

export interface WasmBackend extends Backend {
  readonly heap: WasmHeap;
  readonly kernels: KernelExports;
  readonly threads: number;
  readonly simd: 'relaxed' | 'simd';
  /** Gemm limited to `threads` threads, for benchmarks and tests. */
  gemmThreads(args: Parameters<Backend['gemm']>[0], threads: number): void;
  /** Gemm with the unpacked small-M kernels used up to `maxGemvRows` rows of A (0: never). */
  gemmWith(args: Parameters<Backend['gemm']>[0], opts: { threads?: number; maxGemvRows: number }): void;
  /** Product with a quantized weight limited to `threads` threads, for benchmarks and tests. */
  quantGemmThreads(args: QuantGemmArgs, threads: number): void;
  /** Stops the worker threads. */
  close(): void;
}

export function wasmSupported(): boolean {
  return hasSimd();
}

/** Builds the wasm backend (does not install it: pass it to setBackend). */
export async function createWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  if (!wasmSupported()) throw new Error('wasm backend: this runtime has no WebAssembly SIMD');
  const wanted = Math.max(1, Math.floor(opts.threads ?? 1));
  const zeroCopy = opts.zeroCopy ?? true;
  const threaded = wanted > 1 && opts.spawnWorker !== undefined;
  // shared memory for threads, and on one thread too when it is for zero-copy storage
  const shared = (threaded || zeroCopy) && hasSharedMemory();
  const km = compileKernels({ shared, relaxed: opts.relaxed });
  const memory = newMemory(shared, opts.maxMemoryPages);
  const kernels = instantiate(km.module, memory);
  const heap = new WasmHeap(memory, kernels.heapBase(), { zeroCopy });
  const workspaces = Array.from({ length: shared && threaded ? wanted : 1 }, () =>
    heap.alloc(kernels.gemmWorkspaceBytes()),
  );
  let pool: ThreadPool | null = null;
  if (shared && threaded && opts.spawnWorker) {
    try {
      pool = await ThreadPool.start(wanted - 1, opts.spawnWorker, km.module, memory, workspaces.slice(1));
    } catch {
      pool = null; // no workers: one thread is still correct
    }
  }
  const threads = pool ? pool.size : 1;
  const ctx: GemmContext = { kernels, heap, workspace: workspaces[0], pool };
  const gemm = (p: GemmArgs) => wasmGemm(ctx, p);
  const qctx = newQuantContext(ctx, opts.int8Activations ?? false);
  return {
    ...jsBackend,
    // row-wise kernels split their rows across the pool (same bits as one thread)
    ...wasmKernels(heap, pool ? threadedRowKernels(kernels, pool) : kernels, opts.thresholds),
    ...tiledAttention(gemm, wasmRows(heap, kernels), wasmDirect(heap, kernels)),
    name: `wasm-${km.simd}${threads > 1 ? ` x${threads} threads` : ''}`,
    heap,
    kernels,
    threads,
    simd: km.simd,
    gemm,
    quantGemm: (p) => wasmQuantGemm(qctx, p),
    allocPersistent: (n) => heap.persistent(n),
    releasePersistent: (x) => void heap.releasePersistent(x),
    gemmThreads: (p, n) => wasmGemm(ctx, p, n),
    gemmWith: (p, o) => wasmGemm(ctx, p, o.threads, o.maxGemvRows),
    quantGemmThreads: (p, n) => wasmQuantGemm(qctx, p, n),
    close: () => pool?.close(),
  };
}
