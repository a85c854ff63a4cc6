// A buffer arena for training steps. Inside `arena.run(fn)`, every tensor buffer comes from a
// pool of buffers that earlier runs released, keyed by dtype and exact length (a training step
// makes the same shapes every time), and comes back zero-filled like a new one, unless the
// caller promises to write every element (take(..., false): a gemm without accumulate, an
// elementwise or row-wise kernel), when clearing it would be wasted work. When `fn`
// returns, every buffer it took goes back to the pool, so step after step allocates nothing
// and the garbage collector has nothing to do. The rule this imposes: no tensor made inside
// `fn` may be used after it returns (read numbers out with item() inside). Parameter gradients
// are safe: they are copied into buffers of their own. Float32 buffers come from the backend's
// persistent storage when it has one (wasm memory on the fast backend, where kernels use them
// without copies); they are pooled until dispose() gives them back to the backend. A size no run
// has asked for in the last STALE_RUNS runs is given back at once: a step whose shapes vary (a
// mixture of experts routes a different number of tokens to each expert every step) would
// otherwise pool a buffer for every size it ever saw, and grow without bound.

import type { DType, FloatArray } from '../kernels/dtype.js';
import { getBackend } from '../kernels/backend.js';

/**
 * The block size a request of n floats is served from: n itself up to 256, above that n rounded up
 * to one of 8 sizes per power of two (at most 12.5% larger). A step whose shapes drift (expert
 * batches) then reuses a few blocks instead of needing one of every size.
 */
export function sizeClass(n: number): number {
  if (n <= 256) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/** Runs after which a buffer size nobody asked for goes back to the backend. */
const STALE_RUNS = 2;

export class BufferArena {
  private free = new Map<string, FloatArray[]>();
  /** The run in which each size was last taken. */
  private lastUsed = new Map<string, number>();
  private runs = 0;
  private taken: [string, FloatArray][] = [];
  private active = false;
  /** Buffers handed out, and of those, how many were reused (for tests and the bench). */
  stats = { taken: 0, reused: 0 };

  /**
   * A buffer of `size` elements, zero-filled; with `zero` false its values are whatever the last
   * user left (the caller must overwrite every element before anything reads it).
   */
  take(dtype: DType, size: number, zero = true): FloatArray {
    const cap = sizeClass(size);
    const key = `${dtype}:${cap}`;
    const list = this.free.get(key);
    let buf = list?.pop();
    this.stats.taken++;
    if (buf) this.stats.reused++;
    else
      buf =
        dtype === 'float64'
          ? new Float64Array(cap)
          : (getBackend().allocPersistent(cap) ?? new Float32Array(cap));
    this.taken.push([key, buf]);
    this.lastUsed.set(key, this.runs);
    // The pool holds the whole block; the tensor gets a view of exactly its size.
    const view = cap === size ? buf : buf.subarray(0, size);
    return zero ? view.fill(0) : view;
  }

  /** Runs fn with this arena active; afterwards, every buffer fn took is free again. */
  run<T>(fn: () => T): T {
    if (this.active) return fn();
    const prev = current;
    current = this;
    this.active = true;
    try {
      return fn();
    } finally {
      current = prev;
      this.active = false;
      for (const [key, buf] of this.taken) {
        const list = this.free.get(key);
        if (list) list.push(buf);
        else this.free.set(key, [buf]);
      }
      this.taken = [];
      this.releaseStale();
      this.runs++;
    }
  }

  /** Gives back the buffers of sizes not taken in the last STALE_RUNS runs. */
  private releaseStale(): void {
    const backend = getBackend();
    for (const [key, list] of this.free) {
      if (this.runs - (this.lastUsed.get(key) ?? -Infinity) < STALE_RUNS) continue;
      for (const buf of list) if (buf instanceof Float32Array) backend.releasePersistent?.(buf);
      this.free.delete(key);
      this.lastUsed.delete(key);
    }
  }

  /** Sizes pooled and buffers held in the pool (for tests). */
  pooled(): { sizes: number; buffers: number } {
    let buffers = 0;
    for (const list of this.free.values()) buffers += list.length;
    return { sizes: this.free.size, buffers };
  }

  /** Drops every pooled buffer (wasm-memory ones stay allocated: drop the arena rarely). */
  clear(): void {
    this.free.clear();
  }

  /** Gives every pooled buffer back to the backend (for reuse by others) and empties the pool. */
  dispose(): void {
    const backend = getBackend();
    for (const list of this.free.values()) {
      for (const buf of list) if (buf instanceof Float32Array) backend.releasePersistent?.(buf);
    }
    this.free.clear();
  }
}

let current: BufferArena | null = null;

/** The arena that allocations currently come from, if any. */
export function activeArena(): BufferArena | null {
  return current;
}
