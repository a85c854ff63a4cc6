// What attention costs as the context grows, measured rather than argued: the time of one
// forward + backward pass of a one-block GPT (C = 128, 4 heads, batch 1) at context lengths
// T = 64 .. 1024, for each variant's attention, and the number of (query, key) scores it computes.
// Full attention computes T(T+1)/2 scores, so its time grows as T²; a sliding window of W computes
// about T·W, a strided pattern about 2T√T, and linear attention none at all (it keeps a hs x hs
// state per head instead), so theirs grow about linearly. Windows scale with T as the variant
// says (T/4 for sliding), which keeps sliding's cost quadratic with a 4x smaller constant: pass a
// fixed window to see it linear.

import { GPT } from '../model/gpt.js';
import type { GPTConfigInput } from '../model/config.js';
import { Tensor } from '../tensor/tensor.js';
import { manualSeed } from '../tensor/rng.js';
import type { Variant } from './variants.js';

export interface CostPoint {
  T: number;
  /** Milliseconds per forward + backward (median of the repeats). */
  ms: number;
}

export interface CostCurve {
  variant: string;
  points: CostPoint[];
}

/** Median time of `fn` in ms, after one warm-up call. */
function timeMedian(fn: () => void, repeats: number): number {
  fn();
  const ts: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

/** Forward + backward time of a one-block model with each variant's attention, per length. */
export function attentionCost(
  variants: readonly Variant[],
  lengths: readonly number[] = [64, 128, 256, 512, 1024],
  o: { nEmbd?: number; nHead?: number; repeats?: number } = {},
): CostCurve[] {
  const C = o.nEmbd ?? 128;
  const nHead = o.nHead ?? 4;
  return variants.map((v) => ({
    variant: v.name,
    points: lengths.map((T) => {
      manualSeed(0);
      const cfg = {
        vocabSize: 64,
        blockSize: T,
        nLayer: 1,
        nHead,
        nEmbd: C,
        ...v.config(T),
      } as GPTConfigInput;
      const model = new GPT(cfg);
      const ids = Array.from({ length: T }, (_, t) => (t * 7) % 64);
      const x = new Tensor(Float32Array.from(ids), [1, T]);
      const ms = timeMedian(() => {
        model.zeroGrad();
        const { loss } = model.forward(x, { targets: ids });
        loss!.backward();
      }, o.repeats ?? 3);
      return { T, ms };
    }),
  }));
}
