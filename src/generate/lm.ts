// What generation needs from a model: next-token logits for a batch of token rows, continuing
// after whatever its cache already holds. Adapters for the GPT (one KV cache per layer; a step of
// one token for one row goes through the fused decoder, fast-decode.ts, when it applies) and for
// the encoder-decoder's decoder (self-attention cache grows; cross-attention k/v computed once).

import { Tensor } from '../tensor/tensor.js';
import { GPT } from '../model/gpt.js';
import { KVCache, type LayerKvCache } from '../model/kv-cache.js';
import { EncoderDecoder, EncoderDecoderCache, type Encoded } from '../model/encoder-decoder.js';
import { tensor } from '../tensor/creation.js';
import { noGrad, isGradEnabled } from '../tensor/autograd.js';
import { BufferArena } from '../tensor/arena.js';
import { LlmfsError } from '../errors.js';
import { fastDecodeStep, type FastDecodeHost, type FastDecoder } from './fast-decode.js';

/** A cache of past keys/values for a batch of rows. */
export interface LmCache {
  /** Positions cached (the same for every row). */
  readonly length: number;
  /** Floats held, summed over layers. */
  readonly size: number;
  clear(): void;
  /** Keeps row rows[i] as the new row i (beam search reorders and duplicates rows). */
  selectRows(rows: readonly number[]): void;
}

/** A model that continues token rows. */
export interface CausalLm<C extends LmCache = LmCache> {
  /** The most positions one forward pass can see (blockSize, or the decoder's maxLen). */
  readonly contextSize: number;
  readonly vocabSize: number;
  newCache(): C;
  /**
   * ids (B, T) continuing after the cache's positions (or from position 0 without one) -> logits (B, T, V),
   * or (B, 1, V) for the last position only.
   */
  forward(ids: Tensor, cache: C | null): Tensor;
}

function selectLayer(l: LayerKvCache, rows: readonly number[]): void {
  if (l.k) l.k = l.k.indexSelect(0, rows); // (B', T, nkv·hs)
  if (l.v) l.v = l.v.indexSelect(0, rows);
  if (l.linear) {
    // linear attention's recurrent state (B, nh, hs, hs) and (B, nh, 1, hs)
    l.linear = { ...l.linear, S: l.linear.S.indexSelect(0, rows), z: l.linear.z.indexSelect(0, rows) };
  }
}

/**
 * The GPT's cache. While the fused decoding step (fast-decode.ts) holds its newest keys and
 * values, `fast` is set and `kv` is stale; anything else first takes the rows back (`settle`).
 */
export class GptCache implements LmCache, FastDecodeHost {
  fast: FastDecoder | null = null;
  constructor(readonly kv: KVCache) {}
  get length(): number {
    return this.fast ? this.fast.length : this.kv.length;
  }
  get size(): number {
    if (!this.fast) return this.kv.size;
    const nLayer = this.kv.layers.length; // 2 (k and v) · nLayer · n · kvW floats
    return 2 * nLayer * this.fast.length * this.fast.kvWidth;
  }
  clear(): void {
    this.fast?.drop();
    this.kv.clear();
  }
  /** Brings the decoder's rows back into `kv`, for the tensor forward or a reordering. */
  settle(): void {
    this.fast?.detach();
  }
  selectRows(rows: readonly number[]): void {
    this.settle();
    for (const l of this.kv.layers) selectLayer(l, rows);
  }
}

/**
 * One buffer arena per model for decoding steps: a step after the cache (a token or a few) makes
 * the same shapes every time, so its buffers are reused instead of allocated (and on the fast
 * backend they sit in wasm memory, where the kernels use them without copies). The cache itself
 * is made outside the arena (model/kv-cache.ts), and the logits are copied out before it returns.
 */
const stepArenas = new WeakMap<GPT, BufferArena>();
const ARENA_MAX_T = 4;

/** The GPT as a CausalLm; put the model in eval mode first (generation turns dropout off anyway). */
export function gptLm(model: GPT): CausalLm<GptCache> {
  model.eval();
  return {
    contextSize: model.config.blockSize,
    vocabSize: model.config.vocabSize,
    newCache: () => new GptCache(new KVCache(model.config.nLayer)),
    forward: (ids, cache) => {
      if (cache) {
        const fast = isGradEnabled() ? null : fastDecodeStep(model, ids, cache); // (1, 1, V) or null
        if (fast) return fast;
        cache.settle();
      }
      const run = () => model.forward(ids, { cache: cache?.kv, lastOnly: true }).logits; // (B, 1, V)
      if (!cache || cache.length === 0 || ids.shape[1] > ARENA_MAX_T || isGradEnabled()) return run();
      let arena = stepArenas.get(model);
      if (!arena) stepArenas.set(model, (arena = new BufferArena()));
      return arena.run(() => {
        const logits = run();
        return new Tensor(logits.data.slice(), logits.shape);
      });
    },
  };
}

export class Seq2SeqCache implements LmCache {
  constructor(readonly dec: EncoderDecoderCache) {}
  get length(): number {
    return this.dec.length;
  }
  get size(): number {
    return this.dec.layers.reduce(
      (n, l) =>
        n + (l.self.k?.size ?? 0) + (l.self.v?.size ?? 0) + (l.cross.k?.size ?? 0) + (l.cross.v?.size ?? 0),
      0,
    );
  }
  clear(): void {
    for (const l of this.dec.layers) l.self.k = l.self.v = l.cross.k = l.cross.v = null;
  }
  selectRows(rows: readonly number[]): void {
    for (const l of this.dec.layers) {
      selectLayer(l.self, rows);
      selectLayer(l.cross, rows);
    }
  }
}

/**
 * The encoder-decoder's decoder as a CausalLm over target ids, for one source sequence: the
 * source is encoded once here; every row of a batch (every beam) shares it.
 */
export function seq2seqLm(model: EncoderDecoder, src: readonly number[]): CausalLm<Seq2SeqCache> {
  if (src.length === 0) throw new LlmfsError('generate: the source sequence is empty');
  model.eval();
  const enc = noGrad(() => model.encode(tensor([[...src]])));
  const byRows = new Map<number, Encoded>([[1, enc]]);
  const expanded = (B: number): Encoded => {
    let e = byRows.get(B);
    if (!e) {
      const zeros = new Array<number>(B).fill(0);
      // (B, S, C), (B, 1, 1, S)
      e = { memory: enc.memory.indexSelect(0, zeros), memoryMask: enc.memoryMask.indexSelect(0, zeros) };
      byRows.set(B, e);
    }
    return e;
  };
  return {
    contextSize: model.config.maxLen,
    vocabSize: model.config.tgtVocabSize,
    newCache: () => new Seq2SeqCache(new EncoderDecoderCache(model.config.nDecoderLayer)),
    forward: (ids, cache) => model.decode(ids, expanded(ids.shape[0]), cache?.dec ?? undefined),
  };
}

/** A GPT, or any CausalLm, as a CausalLm. */
export function asLm(model: GPT | CausalLm): CausalLm {
  return model instanceof GPT ? gptLm(model) : model;
}
