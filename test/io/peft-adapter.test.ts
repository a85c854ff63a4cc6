// PEFT adapter directories: what savePeftAdapter writes (PEFT's key names, shapes and config
// fields for GPT-2), loading one back onto a fresh model (same outputs), and each way a wrong
// adapter is refused with one clear line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '../../src/model/gpt.js';
import { applyLora, loraLayers } from '../../src/model/lora-apply.js';
import { savePeftAdapter, loadPeftAdapter, peftKey } from '../../src/io/peft-adapter.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/tensor/rng.js';
import { manualSeed } from '../../src/tensor/rng.js';

const cfg = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'llmfs-peft-'));
}

/** A GPT with a LoRA adapter (r 2, α 4) whose A and B are non-zero, and a copy of its weights. */
function adapted(opts: { targets?: string[]; tieWeights?: boolean } = {}): GPT {
  manualSeed(1);
  const model = new GPT({ ...cfg, tieWeights: opts.tieWeights ?? true });
  applyLora(model, { r: 2, alpha: 4, dropout: 0.1, targets: opts.targets });
  const rng = new Rng(5);
  for (const [, l] of loraLayers(model))
    for (const w of [l.lora_A.weight, l.lora_B.weight])
      for (let i = 0; i < w.size; i++) w.data[i] = rng.normal();
  return model;
}

function fresh(tieWeights = true): GPT {
  manualSeed(1); // the same base weights as adapted()
  return new GPT({ ...cfg, tieWeights });
}

const ids = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);

test('savePeftAdapter: PEFT key names and shapes for GPT-2, and the config fields PEFT reads', () => {
  const dir = tmp();
  try {
    savePeftAdapter(dir, adapted(), { baseModel: 'gpt2' });
    const { tensors } = readSafetensorsFile(join(dir, 'adapter_model.safetensors'));
    const a = tensors['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'];
    const b = tensors['base_model.model.transformer.h.0.attn.c_attn.lora_B.weight'];
    assert.deepEqual(a.shape, [2, 8]); // (r, in)
    assert.deepEqual(b.shape, [24, 2]); // (out, r)
    assert.equal(Object.keys(tensors).length, 16); // only the adapter: 2 blocks x 4 layers x (A, B)
    const c = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    assert.equal(c.peft_type, 'LORA');
    assert.equal(c.task_type, 'CAUSAL_LM');
    assert.equal(c.r, 2);
    assert.equal(c.lora_alpha, 4);
    assert.equal(c.lora_dropout, 0.1);
    assert.deepEqual(c.target_modules, ['c_attn', 'c_fc', 'c_proj']);
    assert.equal(c.fan_in_fan_out, true);
    assert.equal(c.bias, 'none');
    assert.equal(c.base_model_name_or_path, 'gpt2');
    assert.equal(peftKey('lm_head'), 'base_model.model.lm_head');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadPeftAdapter: a saved adapter on a fresh base model gives the same logits (with lm_head)', () => {
  const dir = tmp();
  try {
    for (const tie of [true, false]) {
      const targets = tie ? undefined : ['c_attn', 'lm_head'];
      const src = adapted({ targets, tieWeights: tie }).eval();
      savePeftAdapter(dir, src);
      const dst = fresh(tie).eval();
      const info = loadPeftAdapter(dst, dir);
      assert.equal(info.r, 2);
      assert.deepEqual(
        info.layers,
        loraLayers(src).map(([n]) => n),
      );
      assert.deepEqual(dst.forward(ids).logits.data, src.forward(ids).logits.data);
      assert.ok(dst.trainableParameters().every(([n]) => n.includes('lora_')));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadPeftAdapter: wrong shapes, a missing layer, a foreign key or a bad config are one clear line', () => {
  const dir = tmp();
  const run = (model: GPT, re: RegExp) =>
    assert.throws(
      () => loadPeftAdapter(model, dir),
      (e: Error) => re.test(e.message) && !e.message.includes('\n'),
    );
  try {
    savePeftAdapter(dir, adapted());
    run(
      new GPT({ ...cfg, nEmbd: 12, nHead: 2 }),
      /is \(2,8\) but layer h\.0\.attn\.c_attn \(12 -> 36, r 2\) needs \(2,12\)/,
    );
    run(new GPT({ ...cfg, nLayer: 1 }), /names layer 'h\.1\.attn\.c_attn', which the model does not have/);
    const wPath = join(dir, 'adapter_model.safetensors');
    const { tensors } = readSafetensorsFile(wPath);
    writeSafetensorsFile(wPath, {
      ...tensors,
      'base_model.model.transformer.wte.weight': tensors[Object.keys(tensors)[0]],
    });
    run(fresh(), /tensor 'base_model\.model\.transformer\.wte\.weight' is not a LoRA A or B weight/);
    const bA = tensors['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'];
    writeSafetensorsFile(wPath, { 'base_model.model.transformer.wte.lora_A.weight': bA });
    run(fresh(), /names 'wte' \(Embedding\), not a Linear layer/);
    const onlyA = Object.fromEntries(
      Object.entries(tensors).filter(([k]) => !k.endsWith('h.1.mlp.c_fc.lora_B.weight')),
    );
    writeSafetensorsFile(wPath, onlyA);
    run(fresh(), /h\.1\.mlp\.c_fc' has lora_B missing/);
    const cPath = join(dir, 'adapter_config.json');
    const config = JSON.parse(readFileSync(cPath, 'utf8'));
    writeFileSync(cPath, JSON.stringify({ ...config, peft_type: 'IA3' }));
    run(fresh(), /peft_type is "IA3"; only "LORA" is supported/);
    writeFileSync(cPath, JSON.stringify({ ...config, use_dora: true }));
    run(fresh(), /DoRA adapters are not supported/);
    rmSync(cPath);
    run(fresh(), /adapter_config\.json: file not found \(not a PEFT adapter\)/);
    run(fresh(), /adapter_config/);
    assert.throws(() => loadPeftAdapter(fresh(), join(dir, 'nope')), /adapter .*nope: directory not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
