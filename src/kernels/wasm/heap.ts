// The wasm linear memory as seen from JS: a bump allocator with marks, so a kernel call can
// reserve scratch, copy its inputs in, and release everything on return. Arrays that already
// live inside this memory (`owns`) are used in place: with a shared memory, long-lived storage
// (parameters, optimizer moments, arena buffers) is allocated here (`persistent`) and kernels
// read and write it with no copies. Only a SHARED memory may hold such storage: growing an
// unshared memory detaches every view of it (they would read as empty: a silent wrong answer),
// while a shared memory never moves or detaches, and its old views stay valid after a grow.
// Persistent blocks given back (`releasePersistent`, when a model or optimizer is disposed) go
// to a free list by size and are handed out again before the heap is cut any further.
// When the memory cannot grow (it is at its maximum, or the system refuses), `alloc` throws
// HeapFull: persistent storage then comes from ordinary memory, and a kernel call whose copies
// do not fit runs the reference kernel instead (calls.ts, gemm.ts): slower, never a crash.

import type { FloatArray } from '../dtype.js';

const PAGE = 65536;
const ALIGN = 64; // a cache line: no two threads' scratch ever shares one

/** Most bytes of persistent storage: the rest of the 2 GiB shared memory stays for kernel scratch. */
export const PERSISTENT_LIMIT = 1.25 * 2 ** 30;

/** The wasm memory cannot grow to hold a request: the caller falls back to ordinary memory. */
export class HeapFull extends Error {
  constructor(bytes: number, cause: unknown) {
    super(`wasm heap: cannot grow by ${bytes} bytes (${cause instanceof Error ? cause.message : cause})`);
    this.name = 'HeapFull';
  }
}

export class WasmHeap {
  private top: number;
  /** Open marks: persistent storage may only be cut while no kernel call holds scratch. */
  private open = 0;
  /** Every ArrayBuffer this memory has shown (a shared memory returns a new one after each grow). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private buffer: ArrayBufferLike;
  /** Bytes of persistent storage in use: handed out by `persistent` and not yet released. */
  persistentBytes = 0;
  /** Bytes ever cut from the heap for persistent storage (in use + on the free list). */
  reservedBytes = 0;
  /** Persistent blocks in use, address -> bytes (what `releasePersistent` accepts). */
  private readonly live = new Map<number, number>();
  /** Released persistent blocks by size in bytes, ready for reuse. */
  private readonly freeBlocks = new Map<number, number[]>();
  /** Whether `persistent` may hand out storage (shared memory, and not switched off). */
  readonly zeroCopy: boolean;
  private readonly shared: boolean;

  constructor(
    readonly memory: WebAssembly.Memory,
    heapBase: number,
    opts: { zeroCopy?: boolean } = {},
  ) {
    this.top = align(heapBase);
    this.buffer = memory.buffer;
    this.buffers.add(this.buffer);
    this.shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.zeroCopy = this.shared && (opts.zeroCopy ?? true);
  }

  /**
   * Reserves `bytes` (cache-line aligned), growing the memory when needed; returns the address.
   * Throws HeapFull (and changes nothing) when the memory cannot grow that far.
   */
  alloc(bytes: number): number {
    const ptr = this.top;
    const end = align(ptr + bytes);
    const have = this.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch (err) {
        // RangeError: past the memory's maximum (or the 4 GiB of wasm32), or the system said no
        throw new HeapFull(bytes, err);
      }
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
   * A zero-filled Float32Array of n floats inside wasm memory that lives until releasePersistent,
   * or null when this heap cannot hold one (unshared memory, inside a kernel call, over the
   * limit, or the memory cannot grow): the caller then uses an ordinary array.
   */
  persistent(n: number): Float32Array | null {
    const bytes = align(n * 4);
    if (!this.zeroCopy || this.open > 0) return null;
    let ptr = this.freeBlocks.get(bytes)?.pop();
    if (ptr === undefined) {
      if (this.reservedBytes + bytes > PERSISTENT_LIMIT) return null;
      try {
        ptr = this.alloc(bytes);
      } catch (err) {
        if (err instanceof HeapFull) return null; // an ordinary array serves instead
        throw err;
      }
      this.reservedBytes += bytes;
    }
    this.live.set(ptr, bytes);
    this.persistentBytes += bytes;
    const x = this.f32(ptr, n);
    x.fill(0); // scratch released earlier may have left values here
    return x;
  }

  /**
   * Gives back storage that `persistent` handed out, for reuse by a later request of the same
   * size. Anything else (an ordinary array, a block already released) is ignored; returns
   * whether x was released. The caller must not use x (or any view of it) afterwards.
   */
  releasePersistent(x: FloatArray): boolean {
    if (!this.owns(x)) return false;
    const ptr = x.byteOffset;
    const bytes = this.live.get(ptr);
    if (bytes === undefined || align(x.length * 4) !== bytes) return false;
    this.live.delete(ptr);
    this.persistentBytes -= bytes;
    const list = this.freeBlocks.get(bytes);
    if (list) list.push(ptr);
    else this.freeBlocks.set(bytes, [ptr]);
    return true;
  }

  /** A Float32Array view of n floats at ptr (views are cheap; make one after any growth). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.buffer, ptr, n);
  }

  /** Whether `x` is a view into this memory, so kernels may read and write it in place. */
  owns(x: FloatArray): boolean {
    return (
      x instanceof Float32Array && (x.buffer === this.buffer || (this.shared && this.buffers.has(x.buffer)))
    );
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
