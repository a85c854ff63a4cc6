// Mixture of experts vs the dense MLP (src/model/moe.ts): a cpu-small training step (forward,
// backward, AdamW) with the dense MLP and with 4 experts, top-2 (each token runs 2 expert MLPs,
// the layer holds 4). The two are timed alternately so machine noise hits both alike.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { GPT, gptPreset, randint, Rng, manualSeed, AdamW, getBackend } from '../src/index.js';
import { BufferArena } from '../src/tensor/arena.js';

const V = 65;
const B = 12;

export const moeSuite: Suite = {
  name: 'moe',
  run(): BenchRow[] {
    const arena = new BufferArena();
    const variants = { dense: {}, 'moe 4 experts top-2': { moeExperts: 4, moeTopK: 2 } };
    const runs = Object.entries(variants).map(([name, extra]) => {
      manualSeed(0);
      const model = new GPT(gptPreset('cpu-small', { vocabSize: V, ...extra }));
      const T = model.config.blockSize;
      const opt = new AdamW(model.parameters(), { lr: 1e-3 });
      const x = randint(0, V, [B, T], { rng: new Rng(1) });
      const y = randint(0, V, [B, T], { rng: new Rng(2) });
      const step = () => {
        opt.zeroGrad();
        arena.run(() => model.forward(x, { targets: y }).loss!.backward());
        opt.step();
      };
      return { name, model, T, step, times: [] as number[] };
    });
    for (let round = 0; round < 5; round++)
      for (const r of runs)
        r.times.push(timeMs(r.step, { warmup: round === 0 ? 2 : 0, repeats: 3, minMs: 0 }));
    const rows: BenchRow[] = [];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const denseMs = median(runs[0].times);
    for (const r of runs) {
      const ms = median(r.times);
      rows.push({
        suite: 'moe',
        name: `cpu-small ${r.name}: parameters`,
        value: r.model.numParameters(),
        unit: 'params',
      });
      rows.push({
        suite: 'moe',
        name: `cpu-small ${r.name} step (B=${B}, T=${r.T}, fwd+bwd+AdamW)`,
        value: (B * r.T * 1000) / ms,
        unit: 'tokens/s',
        note: `${ms.toFixed(1)} ms/step, ${(ms / denseMs).toFixed(2)}x the dense step; ${getBackend().name}`,
      });
    }
    return rows;
  },
};
