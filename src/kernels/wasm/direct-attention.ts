// The wasm backend's attention for a few queries (a decoding step): assembly/attention-direct.ts
// on the (B, T, n·hs) arrays in place when they live in wasm memory (zero-copy arena buffers),
// copied in otherwise. Its plain reference is directAttentionForward in ./tiled-attention.ts.

import type { Backend } from '../backend.js';
import { HeapFull, type WasmHeap } from './heap.js';
import type { KernelExports } from './module.js';

/** Runs the attention of `d` (at most a few queries); false when it cannot (the caller's loop runs). */
export type DirectAttention = (...args: Parameters<Backend['attentionForward']>) => boolean;

export function wasmDirect(heap: WasmHeap, kernels: KernelExports): DirectAttention {
  return (q, k, v, out, lse, d) => {
    if (![q, k, v, out].every((x) => x instanceof Float32Array)) return false;
    const { B, Tq, Tk, nh, nkv, hs } = d;
    const nq = B * Tq * nh * hs;
    const nk = B * Tk * nkv * hs;
    const mark = heap.mark();
    try {
      let qp: number, kp: number, vp: number, op: number, lp: number, mp: number, sp: number;
      try {
        qp = heap.input(q as Float32Array, 0, nq);
        kp = heap.input(k as Float32Array, 0, nk);
        vp = heap.input(v as Float32Array, 0, nk);
        op = heap.output(out as Float32Array, 0, nq);
        lp = heap.alloc(B * nh * Tq * 4);
        mp = d.keyMask === null ? 0 : heap.alloc(B * Tk * 4);
        sp = heap.alloc(Tk * 4);
      } catch (err) {
        if (err instanceof HeapFull) return false; // nothing written yet
        throw err;
      }
      if (d.keyMask !== null) heap.f32(mp, B * Tk).set(d.keyMask.subarray(0, B * Tk));
      kernels.attnDirect(qp, kp, vp, op, lp, B, Tq, Tk, nh, nkv, hs, d.scale, d.causal, mp, sp);
      heap.copyOut(op, out as Float32Array, 0, nq);
      lse.set(heap.f32(lp, B * nh * Tq));
      return true;
    } finally {
      heap.release(mark);
    }
  };
}
