// Pruning benchmarks (issue 16): the time of one forward pass (1 x 128 tokens) and of one decode
// step (greedy generation with the KV cache) for the gpt2 shape (124M) with half the attention heads
// or half the MLP neurons removed (src/prune/structured.ts), beside the unpruned model. Random
// weights: speed does not depend on them, and the weight-norm score needs no data. (cpu-small is too
// small to show it: per-token overhead hides the matrices.) Unstructured sparsity is not here: zeros
// in dense matrices cost the same time.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import { generate } from '../src/generate/index.js';
import { manualSeed } from '../src/tensor/rng.js';
import { noGrad } from '../src/tensor/autograd.js';
import * as T from '../src/tensor/index.js';
import { headImportance, neuronImportance, removeHeads, removeNeurons } from '../src/prune/index.js';

export const pruneSuite: Suite = {
  name: 'prune',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    manualSeed(0);
    const base = new GPT(GPT_PRESETS.gpt2).eval();
    const { nHead, vocabSize } = base.config;
    const len = 128;
    const variants: [string, GPT][] = [
      ['gpt2', base],
      [
        `heads ${nHead / 2}/${nHead} removed`,
        removeHeads(base, nHead / 2, headImportance(base, { kind: 'norm' })).model,
      ],
      [`neurons 50% removed`, removeNeurons(base, 0.5, neuronImportance(base, { kind: 'norm' })).model],
    ];
    const ids = T.tensor(
      Array.from({ length: 1 }, (_, b) =>
        Array.from({ length: len }, (_, t) => (b * 31 + t * 7) % vocabSize),
      ),
    );
    let forward0 = 0;
    let decode0 = 0;
    for (const [name, m] of variants) {
      const fwd = timeMs(() => noGrad(() => m.forward(ids)), { warmup: 1, repeats: 5 });
      const n = 32;
      const dec = timeMs(() => generate(m, [0], { maxNewTokens: n }), { warmup: 1, repeats: 3 }) / n;
      if (name === 'gpt2') [forward0, decode0] = [fwd, dec];
      const params = `${(m.numParameters() / 1e6).toFixed(2)}M params`;
      rows.push({
        suite: 'prune',
        name: `${name}: forward (1 x ${len})`,
        value: fwd,
        unit: 'ms',
        note: name === 'gpt2' ? params : `${params}, ${(forward0 / fwd).toFixed(2)}x`,
      });
      rows.push({
        suite: 'prune',
        name: `${name}: decode step (KV cache)`,
        value: dec,
        unit: 'ms/token',
        note: name === 'gpt2' ? undefined : `${(decode0 / dec).toFixed(2)}x`,
      });
    }
    return rows;
  },
};
