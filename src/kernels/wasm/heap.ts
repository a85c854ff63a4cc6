// The wasm linear memory as seen from JS: a bump allocator with marks, so a kernel call can
// reserve scratch, copy its inputs in, and release everything on return. Arrays that already
// live inside this memory (`owns`) are used in place, the hook for later keeping tensor storage
// in wasm memory and skipping the copies altogether.

import type { FloatArray } from '../../tensor/dtype.js';

const PAGE = 65536;
const ALIGN = 64; // a cache line: no two threads' scratch ever shares one

export class WasmHeap {
  private top: number;

  constructor(readonly memory: WebAssembly.Memory, heapBase: number) {
    this.top = align(heapBase);
  }

  /** Reserves `bytes` (cache-line aligned), growing the memory when needed; returns the address. */
  alloc(bytes: number): number {
    const ptr = this.top;
    const end = align(ptr + bytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return ptr;
  }

  /** The current top of the heap, to hand back to `release` when the scratch is no longer needed. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** A Float32Array view of n floats at ptr (views are cheap; make one after any growth). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** Whether `x` is a view into this memory, so kernels may read and write it in place. */
  owns(x: FloatArray): boolean {
    return x instanceof Float32Array && x.buffer === this.memory.buffer;
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
