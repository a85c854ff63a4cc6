// Fine-tuning benchmarks (chapter 11): one training step of full fine-tuning against LoRA (r = 8,
// 16) on the `cpu-small` shape, with what each trains and the optimizer state AdamW really holds
// after the step (its moment buffers, counted), plus the same counts for the GPT-2 124M shape.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { GPT, gptPreset, randint, Rng, manualSeed, AdamW, type Parameter } from '../src/index.js';
import { applyLora } from '../src/model/lora-apply.js';
import { BufferArena } from '../src/tensor/arena.js';

const V = 65;
const arena = new BufferArena();

/** Bytes of AdamW's two moments, as allocated: 2 float32 arrays per parameter it has stepped. */
function optimizerBytes(opt: AdamW): number {
  let n = 0;
  for (const s of opt.state.values()) n += s.m.byteLength + s.v.byteLength;
  return n;
}

const trainable = (params: Parameter[]) => params.filter((p) => p.requiresGrad);

export const finetuneSuite: Suite = {
  name: 'finetune',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const suite = 'finetune';
    for (const r of [0, 8, 16]) {
      manualSeed(0);
      const model = new GPT(gptPreset('cpu-small', { vocabSize: V }));
      if (r > 0) applyLora(model, { r, alpha: 2 * r });
      const params = trainable(model.parameters());
      const count = params.reduce((a, p) => a + p.size, 0);
      const total = model.numParameters();
      const opt = new AdamW(params, { lr: 1e-3 });
      const T = model.config.blockSize;
      const x = randint(0, V, [12, T], { rng: new Rng(1) });
      const y = randint(0, V, [12, T], { rng: new Rng(2) });
      const step = () => {
        opt.zeroGrad();
        arena.run(() => model.forward(x, { targets: y }).loss!.backward());
        opt.step();
      };
      const ms = timeMs(step, { warmup: 3, repeats: 15, minMs: 0 });
      const what = r === 0 ? 'full fine-tune' : `LoRA r=${r}`;
      const pct = ((100 * count) / total).toFixed(1);
      rows.push({ suite, name: `cpu-small ${what}: step (B=12, T=64)`, value: ms, unit: 'ms' });
      rows.push({
        suite,
        name: `cpu-small ${what}: trained parameters`,
        value: count,
        unit: 'params',
        note: `${pct}% of ${total.toLocaleString('en-US')}`,
      });
      rows.push({
        suite,
        name: `cpu-small ${what}: AdamW state`,
        value: optimizerBytes(opt) / 2 ** 20,
        unit: 'MiB',
        note: 'm and v, as allocated',
      });
      model.dispose();
    }
    // GPT-2 124M: counts only (a step of it takes seconds): AdamW state = 8 bytes per trained parameter.
    for (const r of [0, 8, 16]) {
      const model = new GPT(gptPreset('gpt2'));
      if (r > 0) applyLora(model, { r, alpha: 2 * r });
      const count = trainable(model.parameters()).reduce((a, p) => a + p.size, 0);
      const what = r === 0 ? 'full fine-tune' : `LoRA r=${r}`;
      rows.push({ suite, name: `gpt2 ${what}: trained parameters`, value: count, unit: 'params' });
      rows.push({
        suite,
        name: `gpt2 ${what}: AdamW state`,
        value: (8 * count) / 2 ** 20,
        unit: 'MiB',
        note: '2 float32 moments each',
      });
      model.dispose();
    }
    return rows;
  },
};
