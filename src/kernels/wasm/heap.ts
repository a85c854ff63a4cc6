// The wasm linear memory as seen from JS: a bump allocator with marks, so a kernel call can
// reserve scratch, copy its inputs in, and release everything on return. Arrays that already
// live inside this memory (`owns`) are used in place: with a shared memory, long-lived storage
// (parameters, optimizer moments, arena buffers) is allocated here (`persistent`) and kernels
// read and write it with no copies. Only a SHARED memory may hold such storage: growing an
// unshared memory detaches every view of it (they would read as empty: a silent wrong answer),
// while a shared memory never moves or detaches, and its old views stay valid after a grow.

import type { FloatArray } from '../dtype.js';

const PAGE = 65536;
const ALIGN = 64; // a cache line: no two threads' scratch ever shares one

/** Most bytes of persistent storage: the rest of the 2 GiB shared memory stays for kernel scratch. */
export const PERSISTENT_LIMIT = 1.25 * 2 ** 30;

export class WasmHeap {
  private top: number;
  /** Open marks: persistent storage may only be cut while no kernel call holds scratch. */
  private open = 0;
  /** Every ArrayBuffer this memory has shown (a shared memory returns a new one after each grow). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private buffer: ArrayBufferLike;
  /** Bytes handed out by `persistent` (never returned: see docs/10-making-it-fast.md). */
  persistentBytes = 0;
  /** Whether `persistent` may hand out storage (shared memory, and not switched off). */
  readonly zeroCopy: boolean;
  private readonly shared: boolean;

  constructor(readonly memory: WebAssembly.Memory, heapBase: number, opts: { zeroCopy?: boolean } = {}) {
    this.top = align(heapBase);
    this.buffer = memory.buffer;
    this.buffers.add(this.buffer);
    this.shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.zeroCopy = this.shared && (opts.zeroCopy ?? true);
  }

  /** Reserves `bytes` (cache-line aligned), growing the memory when needed; returns the address. */
  alloc(bytes: number): number {
    const ptr = this.top;
    const end = align(ptr + bytes);
    const have = this.buffer.byteLength;
    if (end > have) {
      this.memory.grow(Math.ceil((end - have) / PAGE));
      this.buffer = this.memory.buffer;
      if (this.shared) this.buffers.add(this.buffer); // an unshared one detached the old buffer
    }
    this.top = end;
    return ptr;
  }

  /** The current top of the heap, to hand back to `release` when the scratch is no longer needed. */
  mark(): number {
    this.open++;
    return this.top;
  }

  release(mark: number): void {
    this.open--;
    this.top = mark;
  }

  /**
   * A zero-filled Float32Array of n floats inside wasm memory that lives as long as the process,
   * or null when this heap cannot hold one (unshared memory, inside a kernel call, over the
   * limit, or the memory cannot grow): the caller then uses an ordinary array.
   */
  persistent(n: number): Float32Array | null {
    const bytes = align(n * 4);
    if (!this.zeroCopy || this.open > 0 || this.persistentBytes + bytes > PERSISTENT_LIMIT) return null;
    let ptr: number;
    try {
      ptr = this.alloc(bytes);
    } catch {
      return null; // RangeError: the memory is at its maximum
    }
    this.persistentBytes += bytes;
    const x = this.f32(ptr, n);
    x.fill(0); // scratch released earlier may have left values here
    return x;
  }

  /** A Float32Array view of n floats at ptr (views are cheap; make one after any growth). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.buffer, ptr, n);
  }

  /** Whether `x` is a view into this memory, so kernels may read and write it in place. */
  owns(x: FloatArray): boolean {
    return x instanceof Float32Array && (x.buffer === this.buffer || (this.shared && this.buffers.has(x.buffer)));
  }

  /** The address of x[offset..offset+n) inside wasm memory, copying it in unless it lives there. */
  input(x: Float32Array, offset: number, n: number): number {
    if (this.owns(x)) return x.byteOffset + offset * 4;
    const ptr = this.alloc(n * 4);
    this.f32(ptr, n).set(x.subarray(offset, offset + n));
    return ptr;
  }

  /** Scratch for n floats to be written by a kernel (or x itself if it lives here). */
  output(x: Float32Array, offset: number, n: number): number {
    if (this.owns(x)) return x.byteOffset + offset * 4;
    return this.alloc(n * 4);
  }

  /** Copies n floats at ptr back into x[offset..] unless ptr already is x. */
  copyOut(ptr: number, x: Float32Array, offset: number, n: number): void {
    if (this.owns(x)) return;
    x.set(this.f32(ptr, n), offset);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
