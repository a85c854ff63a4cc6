// A buffer arena for training steps. Inside `arena.run(fn)`, every tensor buffer comes from a
// pool of buffers that earlier runs released, keyed by dtype and exact length (a training step
// makes the same shapes every time), and comes back zero-filled like a new one. When `fn`
// returns, every buffer it took goes back to the pool, so step after step allocates nothing
// and the garbage collector has nothing to do. The rule this imposes: no tensor made inside
// `fn` may be used after it returns (read numbers out with item() inside). Parameter gradients
// are safe: they are copied into buffers of their own. Float32 buffers come from the backend's
// persistent storage when it has one (wasm memory on the fast backend, where kernels use them
// without copies); they are pooled until dispose() gives them back to the backend.

import type { DType, FloatArray } from '../kernels/dtype.js';
import { getBackend } from '../kernels/backend.js';

export class BufferArena {
  private free = new Map<string, FloatArray[]>();
  private taken: [string, FloatArray][] = [];
  private active = false;
  /** Buffers handed out, and of those, how many were reused (for tests and the bench). */
  stats = { taken: 0, reused: 0 };

  take(dtype: DType, size: number): FloatArray {
    const key = `${dtype}:${size}`;
    const list = this.free.get(key);
    let buf = list?.pop();
    this.stats.taken++;
    if (buf) {
      buf.fill(0);
      this.stats.reused++;
    } else {
      buf =
        dtype === 'float64'
          ? new Float64Array(size)
          : (getBackend().allocPersistent(size) ?? new Float32Array(size));
    }
    this.taken.push([key, buf]);
    return buf;
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
    }
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
