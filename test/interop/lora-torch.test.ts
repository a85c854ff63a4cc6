// LoRA against PyTorch with PEFT's semantics (scripts/make-lora-fixture.py): the adapter in
// test/fixtures/lora/adapter was written by our savePeftAdapter; the script applied it to the tiny
// HF GPT-2 fixture in plain torch (float64) and recorded logits, loss, the lora_A / lora_B
// gradients and the merged model's logits. Ours must agree to 1e-5 relative.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { loraLayers, mergeLora, unmergeLora } from '../../src/model/lora-apply.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { ROOT, TINY } from './helpers.js';

const LORA = join(ROOT, 'test', 'fixtures', 'lora');
const ADAPTER = join(LORA, 'adapter');

interface LoraGolden {
  r: number;
  lora_alpha: number;
  input: number[][];
  targets: number[][];
  logits: number[];
  mergedLogits: number[];
  loss: number;
  grads: Record<string, number[]>;
}
const golden = JSON.parse(readFileSync(join(LORA, 'golden.json'), 'utf8')) as LoraGolden;

/** max |a - b| / max |b|: the error relative to the reference's scale. */
function relErr(a: ArrayLike<number>, b: readonly number[]): number {
  assert.equal(a.length, b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

const ids = () => new Tensor(Float32Array.from(golden.input.flat()), [2, 8]);
const targets = () => golden.targets.flat();

test('LoRA vs PyTorch/PEFT: logits, loss and every lora_A / lora_B gradient to 1e-5 relative', () => {
  const { model } = loadPretrained(TINY, { adapter: ADAPTER });
  model.eval(); // dropout off, as the reference
  const layers = loraLayers(model);
  assert.equal(layers.length, 8); // 2 blocks x (c_attn, attn.c_proj, c_fc, mlp.c_proj)
  assert.equal(layers[0][1].scaling, golden.lora_alpha / golden.r);
  const { logits, loss } = model.forward(ids(), { targets: targets() });
  assert.ok(relErr(logits.data, golden.logits) < 1e-5, `logits ${relErr(logits.data, golden.logits)}`);
  assert.ok(
    Math.abs(loss!.item() - golden.loss) / golden.loss < 1e-5,
    `loss ${loss!.item()} vs ${golden.loss}`,
  );
  loss!.backward();
  const trainable = model.trainableParameters();
  assert.deepEqual(trainable.map(([n]) => n).sort(), Object.keys(golden.grads).sort());
  for (const [name, p] of trainable) {
    const e = relErr(p.grad!.data, golden.grads[name]);
    assert.ok(e < 1e-5, `${name}: gradient relative error ${e}`);
  }
  // frozen base weights get no gradient
  for (const [name, p] of model.namedParameters())
    if (!name.includes('lora_')) assert.equal(p.grad, null, name);
});

test('LoRA vs PyTorch/PEFT: the merged model gives the reference merged logits; unmerge is exact', () => {
  const { model } = loadPretrained(TINY, { adapter: ADAPTER });
  model.eval();
  const before = model.namedParameters().map(([, p]) => p.data.slice());
  const unmerged = model.forward(ids()).logits.data.slice();
  mergeLora(model);
  const merged = model.forward(ids()).logits.data;
  assert.ok(relErr(merged, golden.mergedLogits) < 1e-5, `merged ${relErr(merged, golden.mergedLogits)}`);
  assert.ok(relErr(merged, Array.from(unmerged)) < 1e-5);
  unmergeLora(model);
  model.namedParameters().forEach(([name, p], i) => assert.deepEqual(p.data, before[i], name));
  assert.deepEqual(model.forward(ids()).logits.data, unmerged);
});
