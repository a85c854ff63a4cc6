// A fused single-token decoding step for a GPT-2-style model (B = 1, one new token after the KV
// cache): the backend kernels the tensor forward calls (gemm, layer norm, GELU), in its order, and
// one query's attention through the backend too, on Float32Arrays made once per
// decoder: no tensors, no autograd, no allocation per step (fast-decode-plan.ts says when it
// applies). The tensor forward stays the reference: its logits equal these to rounding.

import type { GPT } from '../model/gpt.js';
import type { KVCache } from '../model/kv-cache.js';
import { Tensor } from '../tensor/tensor.js';
import { getBackend, type AttentionDims, type Backend } from '../kernels/backend.js';
import { cacheFits, decodePlan, type DecodePlan, type DenseLinear } from './fast-decode-plan.js';

let enabled = true;

/** Steps the fused path has run (for tests and the bench). */
export const fastDecodeStats = { steps: 0 };

/** Turns the fused decoding step on (default) or off: off, every step runs the tensor forward. */
export function setFastDecode(on: boolean): void {
  enabled = on;
}

export function fastDecodeEnabled(): boolean {
  return enabled;
}

/** A cache that can hand its newest positions to a decoder (GptCache in lm.ts). */
export interface FastDecodeHost {
  readonly kv: KVCache;
  /** The decoder holding this cache's keys and values, while it does (then kv is stale). */
  fast: FastDecoder | null;
}

/**
 * One per model and backend. It holds the keys and values of one cache at a time (its owner);
 * another cache taking it over first gets its rows written back as ordinary cache tensors.
 */
export class FastDecoder {
  private owner: FastDecodeHost | null = null;
  /** Positions held for the owner. */
  length = 0;
  private cap = 0;
  private kBufs: Float32Array[] = [];
  private vBufs: Float32Array[] = [];
  // scratch, one row each
  private readonly x: Float32Array; // (C) the residual stream
  private readonly h: Float32Array; // (C) a normalised copy of x
  private readonly qkv: Float32Array; // (nh·hs + 2·kvW)
  private readonly att: Float32Array; // (nh·hs) heads side by side
  private readonly out: Float32Array; // (C) a branch's output
  private readonly up: Float32Array; // (H)
  private readonly act: Float32Array; // (H)
  private readonly logits: Float32Array; // (V)
  private readonly mean = new Float64Array(1);
  private readonly rstd = new Float64Array(1);
  private readonly lse: Float64Array; // (nh): the attention's log-sum-exp, not needed here
  private readonly qW: number;
  private readonly kvW: number;
  /** nkv·hs: the floats of one position's keys (or values) in one layer. */
  get kvWidth(): number {
    return this.kvW;
  }

  constructor(
    readonly model: GPT,
    readonly backend: Backend,
  ) {
    const c = model.config;
    this.qW = c.nHead * c.headDim;
    this.kvW = c.nKvHead * c.headDim;
    this.x = this.alloc(c.nEmbd);
    this.h = this.alloc(c.nEmbd);
    this.qkv = this.alloc(this.qW + 2 * this.kvW);
    this.att = this.alloc(this.qW);
    this.out = this.alloc(c.nEmbd);
    this.up = this.alloc(c.mlpHidden);
    this.act = this.alloc(c.mlpHidden);
    this.logits = this.alloc(c.vocabSize);
    this.lse = new Float64Array(c.nHead);
  }

  /** Storage where this backend's kernels read it without copies (wasm memory), else ordinary. */
  private alloc(n: number): Float32Array {
    return this.backend.allocPersistent(n) ?? new Float32Array(n);
  }

  private release(bufs: Float32Array[]): void {
    for (const b of bufs) this.backend.releasePersistent?.(b);
  }

  /** Room for `n` positions per layer: doubles (up to blockSize), keeping the rows held. */
  private reserve(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.min(this.model.config.blockSize, Math.max(64, 2 * n, 2 * this.cap));
    const grow = (old: Float32Array[]) =>
      Array.from({ length: this.model.config.nLayer }, (_, l) => {
        const b = this.alloc(cap * this.kvW);
        if (old[l]) b.set(old[l].subarray(0, this.length * this.kvW));
        return b;
      });
    const [k, v] = [grow(this.kBufs), grow(this.vBufs)];
    this.release(this.kBufs);
    this.release(this.vBufs);
    [this.kBufs, this.vBufs, this.cap] = [k, v, cap];
  }

  /** Makes `host` the owner: the previous owner gets its rows back; host's cached rows are copied in. */
  attach(host: FastDecodeHost): void {
    if (this.owner === host) return;
    this.detach();
    const n = host.kv.length;
    this.reserve(n);
    host.kv.layers.forEach((l, i) => {
      this.kBufs[i].set(l.k!.data.subarray(0, n * this.kvW));
      this.vBufs[i].set(l.v!.data.subarray(0, n * this.kvW));
    });
    this.length = n;
    this.owner = host;
    host.fast = this;
  }

  /** Writes the owner's rows back into its KVCache as (1, n, kvW) tensors, and lets it go. */
  detach(): void {
    const host = this.owner;
    if (!host) return;
    const n = this.length;
    host.kv.layers.forEach((l, i) => {
      l.k = new Tensor(this.kBufs[i].slice(0, n * this.kvW), [1, n, this.kvW]);
      l.v = new Tensor(this.vBufs[i].slice(0, n * this.kvW), [1, n, this.kvW]);
    });
    this.drop();
  }

  /** Forgets the owner's rows without writing them back (the owner cleared its cache). */
  drop(): void {
    if (this.owner) this.owner.fast = null;
    this.owner = null;
    this.length = 0;
  }

  /** Gives the storage back to the backend (the decoder is being replaced). */
  dispose(): void {
    this.detach();
    this.release(this.kBufs);
    this.release(this.vBufs);
    this.release([this.x, this.h, this.qkv, this.att, this.out, this.up, this.act, this.logits]);
    this.kBufs = this.vBufs = [];
    this.cap = 0;
  }

  /** y (N) = W x + b for W (N, K) as the Linear stores it: linear() with M = 1. */
  private gemv(lin: DenseLinear, x: Float32Array, y: Float32Array, yOffset = 0): void {
    const [N, K] = lin.weight.shape;
    if (lin.bias) y.set(lin.bias.data, yOffset);
    this.backend.gemm({
      transA: false,
      transB: true,
      M: 1,
      N,
      K,
      a: x,
      aOffset: 0,
      b: lin.weight.data,
      bOffset: 0,
      c: y,
      cOffset: yOffset,
      accumulate: lin.bias !== null,
    });
  }

  private layerNorm(p: DecodePlan['lnF'], x: Float32Array, y: Float32Array): void {
    const C = x.length;
    const w = p.weight?.data ?? null;
    const b = p.bias?.data ?? null;
    this.backend.layerNormForward(x, w, b, y, this.mean, this.rstd, 1, C, p.eps);
  }

  /**
   * Token `id` at position `length` of the owner's sequence -> its next-token logits (V), a view
   * that the next step overwrites. The keys and values of the position are kept.
   */
  step(id: number, plan: DecodePlan): Float32Array {
    const c = this.model.config;
    const C = c.nEmbd;
    const t = this.length;
    const { qW, kvW, x, h, qkv, att, out, up, act } = this;
    this.reserve(t + 1);
    // x = wte[id] + wpe[t]   (C)
    const wte = plan.wte.data;
    const wpe = plan.wpe.data;
    for (let i = 0; i < C; i++) x[i] = wte[id * C + i] + wpe[t * C + i];
    const dims: AttentionDims = {
      B: 1,
      Tq: 1,
      Tk: t + 1,
      nh: c.nHead,
      nkv: c.nKvHead,
      hs: c.headDim,
      scale: 1 / Math.sqrt(c.headDim),
      causal: true,
      keyMask: null,
    };
    for (let l = 0; l < plan.layers.length; l++) {
      const L = plan.layers[l];
      // x = x + c_proj(attention(c_attn(ln_1(x))))
      this.layerNorm(L.ln1, x, h);
      if (L.qkv.length === 1) this.gemv(L.qkv[0], h, qkv);
      else [0, qW, qW + kvW].forEach((o, i) => this.gemv(L.qkv[i], h, qkv, o));
      const kb = this.kBufs[l];
      const vb = this.vBufs[l];
      kb.set(qkv.subarray(qW, qW + kvW), t * kvW); // the cache's row t   (kvW)
      vb.set(qkv.subarray(qW + kvW, qW + 2 * kvW), t * kvW);
      const q = qkv.subarray(0, qW); // (1, 1, nh·hs)
      const k = kb.subarray(0, (t + 1) * kvW); // (1, t + 1, nkv·hs)
      const v = vb.subarray(0, (t + 1) * kvW);
      // the backend's attention with one query (wasm: attnDirect, reading the cache in place)
      this.backend.attentionForward(q, k, v, att, this.lse, dims); // (nh·hs)
      this.gemv(L.attnProj, att, out);
      for (let i = 0; i < C; i++) x[i] += out[i];
      // x = x + c_proj(gelu(c_fc(ln_2(x))))
      this.layerNorm(L.ln2, x, h);
      this.gemv(L.fc, h, up);
      this.backend.geluTanhForward(up, act);
      this.gemv(L.mlpProj, act, out);
      for (let i = 0; i < C; i++) x[i] += out[i];
    }
    this.length = t + 1;
    this.layerNorm(plan.lnF, x, h);
    this.gemv(plan.head, h, this.logits); // (V): lm_head, or the tied wte
    return this.logits;
  }
}

const decoders = new WeakMap<GPT, FastDecoder>();

/** The model's decoder on the current backend (a new one after the backend changed). */
export function decoderFor(model: GPT): FastDecoder {
  const backend = getBackend();
  let d = decoders.get(model);
  if (d?.backend === backend) return d;
  d?.dispose();
  d = new FastDecoder(model, backend);
  decoders.set(model, d);
  return d;
}

/**
 * One decoding step through the fused path when it applies: ids (1, 1) after the host's cached
 * positions -> logits (1, 1, V); null when the tensor forward must run instead.
 */
export function fastDecodeStep(model: GPT, ids: Tensor, host: FastDecodeHost): Tensor | null {
  if (!enabled || ids.shape[0] !== 1 || ids.shape[1] !== 1) return null;
  const n = host.fast ? host.fast.length : host.kv.length;
  const c = model.config;
  const id = ids.data[0];
  if (n === 0 || n >= c.blockSize || !Number.isInteger(id) || id < 0 || id >= c.vocabSize) return null;
  const plan = decodePlan(model);
  if (!plan) return null;
  const d = decoderFor(model);
  if (host.fast !== d) {
    if (!cacheFits(host.kv, model)) return null;
    d.attach(host);
  }
  fastDecodeStats.steps++;
  return new Tensor(d.step(id, plan).slice(), [1, 1, c.vocabSize]);
}
