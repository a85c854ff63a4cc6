// Node's side of the fast backend: worker threads from node:worker_threads (unref'd, so they
// never keep a process alive) and the core count from os.availableParallelism. Only the CLI,
// tests and benchmarks import this file; the library core stays free of Node modules.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { WorkerPort } from './pool.js';
import { setBackend } from '../backend.js';
import { createWasmBackend, wasmSupported, type WasmBackend } from '../wasm/backend.js';

export function spawnNodeWorker(): WorkerPort {
  const w = new Worker(new URL('./worker.mjs', import.meta.url));
  return {
    post: (m) => w.postMessage(m),
    onMessage: (cb) => void w.on('message', cb),
    onError: (cb) => void w.on('error', cb),
    unref: () => w.unref(), // after the listeners: adding one refs the worker again
    terminate: () => void w.terminate(),
  };
}

export function defaultThreads(): number {
  return availableParallelism();
}

/** Builds the wasm backend with Node worker threads (default: one per core). */
export function createNodeWasmBackend(
  opts: { threads?: number; relaxed?: boolean; int8Activations?: boolean } = {},
): Promise<WasmBackend> {
  return createWasmBackend({
    threads: opts.threads ?? defaultThreads(),
    spawnWorker: spawnNodeWorker,
    relaxed: opts.relaxed,
    int8Activations: opts.int8Activations,
  });
}

/**
 * Installs the fastest backend this runtime supports and returns its name: wasm SIMD with
 * threads, or the reference JS when WebAssembly SIMD is missing or `threads` is 0.
 */
export async function useFastBackend(opts: { threads?: number } = {}): Promise<string> {
  if (!wasmSupported() || opts.threads === 0) return 'js';
  const be = await createNodeWasmBackend(opts);
  setBackend(be);
  return be.name;
}
