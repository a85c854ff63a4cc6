// Chapter 11, example: LoRA on GPT-2's layout. Put rank-4 adapters on the attention and MLP
// projections of the tiny GPT-2 fixture, count what trains, train a few steps on a text (only A and
// B change), check that merging the adapters into W gives the same logits, and save them as a
// PEFT adapter directory.   npx tsx docs/examples/11-lora.ts

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { tensor } from '../../src/tensor/creation.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { applyLora, mergeLora, unmergeLora } from '../../src/model/lora-apply.js';
import { savePeftAdapter } from '../../src/io/peft-adapter.js';
import { train } from '../../src/train/trainer.js';
import { toTokenArray, splitTrainVal } from '../../src/train/data.js';

const root = join(import.meta.dirname, '..', '..');
manualSeed(0);
const { model, tokenizer } = loadPretrained(join(root, 'test', 'fixtures', 'hf-gpt2', 'tiny'));
const total = model.numParameters();
const wrapped = applyLora(model, { r: 4, alpha: 8 });
const trainable = model.parameters().filter((p) => p.requiresGrad);
const count = trainable.reduce((n, p) => n + p.size, 0);
console.log(`LoRA r=4 on ${wrapped.length} layers (${wrapped.slice(0, 4).join(', ')}, ...)`);
console.log(
  `trainable: ${count} of ${total + count} parameters (${((100 * count) / (total + count)).toFixed(1)}%)`,
);

const text = readFileSync(join(root, 'test', 'fixtures', 'hf-gpt2', 'eval.txt'), 'utf8');
const ids = toTokenArray(tokenizer!.encode(text), tokenizer!.vocabSize);
const w0 = () => model.namedParameters().find(([n]) => n === 'h.0.attn.c_attn.weight')![1].data;
const frozen = w0().slice();
const r = train(model, splitTrainVal(ids, 0.2), {
  steps: 30,
  batchSize: 4,
  lr: 1e-2,
  evalInterval: 30,
  seed: 1,
});
console.log(`30 steps: val loss ${r.valLoss.toFixed(3)}`);
const same = w0().every((v: number, i: number) => v === frozen[i]);
console.log(`the frozen weight W of h.0.attn.c_attn is unchanged: ${same}`);

const x = tensor([tokenizer!.encode('The quick brown fox').slice(0, 8)]);
const before = noGrad(() => model.forward(x).logits.data.slice());
mergeLora(model);
const merged = noGrad(() => model.forward(x).logits.data);
let diff = 0;
for (let i = 0; i < before.length; i++) diff = Math.max(diff, Math.abs(before[i]! - merged[i]!));
console.log(`merged W + (α/r)·B·A gives the same logits: max |Δ| ${diff < 1e-5 ? '< 1e-5' : diff}`);
unmergeLora(model);

const dir = mkdtempSync(join(tmpdir(), 'llmfs-lora-'));
savePeftAdapter(dir, model, { baseModel: 'test/fixtures/hf-gpt2/tiny' });
console.log(`adapter files: ${readdirSync(dir).sort().join(', ')}`);
rmSync(dir, { recursive: true, force: true });
