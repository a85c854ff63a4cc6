// The key/value cache for autoregressive decoding: each layer keeps the keys and values of the
// positions already seen, so a new token costs one row of attention instead of recomputing the
// whole prefix. Keys and values are kept as (B, T, nKvHead·hs).
// Memory: 2 · nLayer · B · nKvHead · T · hs floats.

import type { LayerKvCache } from './multihead.js';

export class KVCache {
  readonly layers: LayerKvCache[];

  constructor(nLayer: number) {
    this.layers = Array.from({ length: nLayer }, () => ({ k: null, v: null }));
  }

  /** Number of cached positions. */
  get length(): number {
    const k = this.layers[0]?.k;
    return k ? k.shape[1] : 0;
  }

  /** Floats held, summed over layers. */
  get size(): number {
    return this.layers.reduce((n, l) => n + (l.k?.size ?? 0) + (l.v?.size ?? 0), 0);
  }

  clear(): void {
    for (const l of this.layers) l.k = l.v = null;
  }

  /** Keeps only the last `keep` positions (a sliding window); positions are re-based by the caller. */
  truncateFront(keep: number): void {
    for (const l of this.layers) {
      if (!l.k || !l.v) continue;
      const T = l.k.shape[1];
      if (keep < T) {
        l.k = l.k.narrow(1, T - keep, keep);
        l.v = l.v.narrow(1, T - keep, keep);
      }
    }
  }
}
