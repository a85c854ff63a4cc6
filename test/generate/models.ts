// Small random models for the generation tests. Weights are scaled up so next-token
// distributions are peaked (a freshly initialised model is nearly uniform, and near-ties would
// make "the same greedy tokens" depend on float rounding rather than on the code under test).

import * as T from '../../src/tensor/index.js';
import { GPT, EncoderDecoder, type GPTConfigInput } from '../../src/model/index.js';
import type { Module } from '../../src/nn/module.js';
import type { CausalLm, LmCache } from '../../src/generate/index.js';

export const TINY: GPTConfigInput = { vocabSize: 40, blockSize: 24, nLayer: 2, nHead: 4, nEmbd: 32 };

function sharpen<M extends Module>(model: M, scale: number): M {
  T.noGrad(() => {
    for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= scale;
  });
  return model;
}

export function randomGpt(seed: number, extra: Partial<GPTConfigInput> = {}): GPT {
  T.manualSeed(seed);
  return sharpen(new GPT({ ...TINY, ...extra }), 4).eval();
}

export function randomSeq2seq(seed: number): EncoderDecoder {
  T.manualSeed(seed);
  return sharpen(
    new EncoderDecoder({
      srcVocabSize: 20,
      tgtVocabSize: 20,
      dModel: 32,
      nHead: 4,
      nEncoderLayer: 2,
      nDecoderLayer: 2,
      maxLen: 24,
      normPlacement: 'pre',
    }),
    1.5,
  ).eval();
}

/** A "model" whose next-token logits are read from a table by the last two tokens of the row. */
export class TableCache implements LmCache {
  rows: number[][] = [];
  get length(): number {
    return this.rows[0]?.length ?? 0;
  }
  get size(): number {
    return 0;
  }
  clear(): void {
    this.rows = [];
  }
  selectRows(rows: readonly number[]): void {
    this.rows = rows.map((r) => [...this.rows[r]]);
  }
}

/** The table LM: logits[a·V + b] follow ... a, b. `calls` counts forward passes. */
export function tableLm(
  logits: readonly (readonly number[])[],
  V: number,
  contextSize = 64,
): CausalLm<TableCache> & { calls: number } {
  const lm = {
    calls: 0,
    contextSize,
    vocabSize: V,
    newCache: () => new TableCache(),
    forward(ids: T.Tensor, cache: TableCache | null): T.Tensor {
      lm.calls++;
      const [B, Tn] = ids.shape;
      const out = new Float32Array(B * V);
      for (let b = 0; b < B; b++) {
        const row = [...(cache?.rows[b] ?? []), ...Array.from(ids.data.subarray(b * Tn, (b + 1) * Tn))];
        if (cache) cache.rows[b] = row;
        out.set(logits[row[row.length - 2] * V + row[row.length - 1]], b * V);
      }
      return new T.Tensor(out, [B, 1, V]); // (B, 1, V)
    },
  };
  return lm;
}
