// Diagnostics benchmarks (issue 17), on the cpu-small shape with random weights (speed does not
// depend on them): what looking inside costs. A forward pass that records the attention weights,
// the residual stream and the MLP units (what `llmfs inspect` and `train --diagnostics` run) beside
// the plain fused forward; and `diagnose generation` (the run as asked plus 8 remedies, 64 tokens
// each, and the attention of the loop) beside one plain generation; `llmfs inspect`'s analysis.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import { generate } from '../src/generate/index.js';
import { manualSeed } from '../src/tensor/rng.js';
import { noGrad } from '../src/tensor/autograd.js';
import type { Tensor } from '../src/tensor/tensor.js';
import * as T from '../src/tensor/index.js';
import { diagnoseGeneration } from '../src/diagnose/generation.js';
import { inspectModel } from '../src/diagnose/inspect.js';

export const diagnoseSuite: Suite = {
  name: 'diagnose',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    manualSeed(0);
    const m = new GPT(GPT_PRESETS['cpu-small']).eval();
    const { blockSize, vocabSize } = m.config;
    const ids = T.tensor([Array.from({ length: blockSize }, (_, t) => (t * 7) % vocabSize)]);
    const plain = timeMs(() => noGrad(() => m.forward(ids)), { warmup: 2, repeats: 10 });
    const recorded = timeMs(
      () =>
        noGrad(() => {
          const a: Tensor[] = [];
          const r: Tensor[] = [];
          const h: Tensor[] = [];
          m.forward(ids, { recordAttention: a, recordResiduals: r, recordMlpHidden: h });
        }),
      { warmup: 2, repeats: 10 },
    );
    rows.push({ suite: 'diagnose', name: `forward (1 x ${blockSize}), fused`, value: plain, unit: 'ms' });
    rows.push({
      suite: 'diagnose',
      name: `forward (1 x ${blockSize}), recording attention/residuals/MLP`,
      value: recorded,
      unit: 'ms',
      note: `${(recorded / plain).toFixed(2)}x the fused forward`,
    });
    const n = Math.min(64, blockSize - 4);
    const prompt = [1, 2, 3];
    const gen = timeMs(() => generate(m, prompt, { maxNewTokens: n }), { warmup: 1, repeats: 3 });
    const diag = timeMs(() => diagnoseGeneration(m, prompt, { maxNewTokens: n }), { warmup: 0, repeats: 2 });
    rows.push({ suite: 'diagnose', name: `generate ${n} tokens (greedy)`, value: gen, unit: 'ms' });
    rows.push({
      suite: 'diagnose',
      name: `diagnose generation (${n} tokens, 8 remedies)`,
      value: diag,
      unit: 'ms',
      note: `${(diag / gen).toFixed(1)}x one generation`,
    });
    const prompt64 = Array.from({ length: blockSize }, (_, t) => (t * 7) % vocabSize);
    const insp = timeMs(() => inspectModel(m, prompt64, String), { warmup: 1, repeats: 3 });
    rows.push({
      suite: 'diagnose',
      name: `inspect (${blockSize} tokens: heads, induction test, logit lens)`,
      value: insp,
      unit: 'ms',
      note: `${(insp / plain).toFixed(1)}x the fused forward`,
    });
    return rows;
  },
};
