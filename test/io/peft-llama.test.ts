// PEFT LoRA adapters of a LlamaForCausalLM (io/peft-llama.ts): adapters with PEFT's Llama names
// (q_proj and v_proj alone, typical target_modules; and all seven projections) load onto our fused
// c_attn and give the logits PyTorch computes with W + (α/r)·B·A on each named Linear
// (scripts/make-llama-e2e-fixture.py); an adapter trained on our model saves as PEFT's q/k/v/o,
// gate/up/down_proj adapters, exactly (A shared, B's row blocks); HF names work as LoRA targets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { loadPeftAdapter, savePeftAdapter } from '../../src/io/peft-adapter.js';
import { applyLora, loraLayers, mergeLora } from '../../src/model/lora-apply.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/tensor/rng.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { LlmfsError } from '../../src/errors.js';
import type { GPT } from '../../src/model/gpt.js';
import { maxDiff, ROOT, tempDir } from '../interop/helpers.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'llama-e2e');
const MODEL = join(FIXTURE, 'model');
interface PeftGolden {
  ids: number[];
  lastPositions: number;
  base: number[];
  qv: number[];
  all: number[];
}
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')).peft as PeftGolden;

/** Logits (last, V) of the last `golden.lastPositions` positions of the golden prompt. */
function lastLogits(model: GPT): Float32Array {
  const V = model.config.vocabSize;
  const all = noGrad(() => model.forward(tensor([golden.ids])).logits.data as Float32Array);
  return all.slice(all.length - golden.lastPositions * V);
}

const base = (): GPT => loadPretrained(MODEL).model;

test('PEFT Llama adapters (q_proj+v_proj; all seven projections) give PyTorch’s logits', (t) => {
  const plain = base();
  assert.ok(maxDiff(lastLogits(plain), golden.base).abs < 1e-4);
  for (const name of ['qv', 'all'] as const) {
    const model = base();
    const info = loadPeftAdapter(model, join(FIXTURE, `peft-${name}`));
    const d = maxDiff(lastLogits(model), golden[name]);
    t.diagnostic(`${name}: ${info.layers.length} LoRA layers, max abs diff ${d.abs.toExponential(2)}`);
    assert.ok(d.abs < 1e-4, `${name}: logits differ from PyTorch's by ${d.abs}`);
    assert.notDeepEqual(info.layers, []);
  }
});

test('PEFT Llama adapter: q_proj and v_proj become one c_attn LoRA, zero on the k rows', () => {
  const model = base();
  const before = new Map(model.namedParameters().map(([n, p]) => [n, p.data.slice()]));
  const info = loadPeftAdapter(model, join(FIXTURE, 'peft-qv'));
  assert.deepEqual(info.layers, ['h.0.attn.c_attn', 'h.1.attn.c_attn']);
  const [, lora] = loraLayers(model)[0];
  assert.equal(lora.r, 4); // two rank-2 adapters with their own A: stacked
  assert.equal(lora.alpha / lora.r, 4 / 2);
  mergeLora(model);
  const { nHead, nKvHead, headDim, nEmbd: C } = model.config;
  const [q, kv] = [nHead * headDim, nKvHead * headDim];
  const w = lora.base.weight.data;
  const w0 = before.get('h.0.attn.c_attn.weight')!;
  for (let i = q * C; i < (q + kv) * C; i++) assert.equal(w[i], w0[i], 'k rows unchanged');
  assert.ok(
    w.slice(0, q * C).some((v, i) => v !== w0[i]),
    'q rows changed',
  );
  assert.ok(
    w.slice((q + kv) * C).some((v, i) => v !== w0[(q + kv) * C + i]),
    'v rows changed',
  );
});

test('savePeftAdapter on a Llama model: PEFT’s names, A shared and B’s row blocks, exactly', () => {
  const model = base();
  applyLora(model, { r: 2, alpha: 4, targets: ['c_attn', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] });
  const rng = new Rng(3);
  for (const [, l] of loraLayers(model))
    for (const p of [l.lora_A.weight, l.lora_B.weight])
      for (let i = 0; i < p.size; i++) p.data[i] = rng.normal();
  const want = lastLogits(model);
  const dir = tempDir('peft-llama');
  try {
    savePeftAdapter(dir, model, { baseModel: MODEL });
    const cfg = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    assert.deepEqual(cfg.target_modules, [
      'down_proj',
      'gate_proj',
      'k_proj',
      'o_proj',
      'q_proj',
      'up_proj',
      'v_proj',
    ]);
    assert.equal(cfg.fan_in_fan_out, false);
    const { tensors } = readSafetensorsFile(join(dir, 'adapter_model.safetensors'));
    assert.equal(Object.keys(tensors).length, 2 * 2 * 7);
    const layers = new Map(loraLayers(model));
    const fused = layers.get('h.1.attn.c_attn')!;
    const { nHead, nKvHead, headDim, nEmbd: C } = model.config;
    const [q, kv] = [nHead * headDim, nKvHead * headDim];
    const at = (m: string, w: 'A' | 'B') => tensors[`base_model.model.model.layers.1.${m}.lora_${w}.weight`];
    const rows: [string, number, number][] = [
      ['q_proj', 0, q],
      ['k_proj', q, q + kv],
      ['v_proj', q + kv, q + 2 * kv],
    ];
    for (const [m, from, to] of rows) {
      assert.deepEqual(at(`self_attn.${m}`, 'A').shape, [2, C]);
      assert.deepEqual(at(`self_attn.${m}`, 'A').data, fused.lora_A.weight.data);
      assert.deepEqual(at(`self_attn.${m}`, 'B').data, fused.lora_B.weight.data.slice(from * 2, to * 2));
    }
    assert.deepEqual(at('mlp.gate_proj', 'B').data, layers.get('h.1.mlp.c_gate')!.lora_B.weight.data);
    assert.deepEqual(at('mlp.down_proj', 'A').data, layers.get('h.1.mlp.c_proj')!.lora_A.weight.data);
    assert.deepEqual(at('self_attn.o_proj', 'A').data, layers.get('h.1.attn.c_proj')!.lora_A.weight.data);
    // Loaded back, q/k/v share A: one rank-2 LoRA on c_attn again, and the same logits.
    const again = base();
    loadPeftAdapter(again, dir);
    assert.equal(new Map(loraLayers(again)).get('h.1.attn.c_attn')!.r, 2);
    assert.ok(maxDiff(lastLogits(again), want).abs < 1e-5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LoRA targets on a Llama model: HF names of one-to-one layers work; q_proj explains the fusion', () => {
  const names = applyLora(base(), { r: 2, targets: ['o_proj', 'gate_proj', 'up_proj', 'down_proj'] });
  assert.deepEqual(names.slice(0, 4), [
    'h.0.attn.c_proj',
    'h.0.mlp.c_fc',
    'h.0.mlp.c_gate',
    'h.0.mlp.c_proj',
  ]);
  assert.throws(
    () => applyLora(base(), { r: 2, targets: ['q_proj', 'v_proj'] }),
    (e: Error) =>
      e instanceof LlmfsError &&
      /q_proj, k_proj and v_proj are row blocks of one layer, attn\.c_attn/.test(e.message),
  );
});

test('PEFT Llama adapter on embed_tokens, or with wrong shapes: one clear line', () => {
  const dir = tempDir('peft-llama');
  try {
    cpSync(join(FIXTURE, 'peft-qv'), dir, { recursive: true });
    const file = join(dir, 'adapter_model.safetensors');
    const { tensors } = readSafetensorsFile(file);
    writeSafetensorsFile(file, {
      ...tensors,
      'base_model.model.model.embed_tokens.lora_A.weight': new Tensor(new Float32Array(2 * 1006), [2, 1006]),
      'base_model.model.model.embed_tokens.lora_B.weight': new Tensor(new Float32Array(32 * 2), [32, 2]),
    });
    assert.throws(
      () => loadPeftAdapter(base(), dir),
      /adapter .*: LoRA on 'model\.embed_tokens' is not supported \(only the Linear layers/,
    );
    const key = 'base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight';
    writeSafetensorsFile(file, { ...tensors, [key]: new Tensor(new Float32Array(8 * 2), [8, 2]) });
    assert.throws(
      () => loadPeftAdapter(base(), dir),
      /v_proj.* has A \(2, 32\) and B \(8, 2\) but the model needs/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an adapter saved with our names (transformer.h.N.attn.c_attn) still loads on a Llama model', () => {
  const model = base();
  applyLora(model, { r: 2, alpha: 4, targets: ['c_attn'] });
  const rng = new Rng(4);
  for (const [, l] of loraLayers(model))
    for (const p of [l.lora_A.weight, l.lora_B.weight])
      for (let i = 0; i < p.size; i++) p.data[i] = rng.normal();
  const dir = tempDir('peft-llama');
  try {
    savePeftAdapter(dir, model);
    const file = join(dir, 'adapter_model.safetensors');
    const tensors: Record<string, Tensor> = {};
    for (const [name, l] of loraLayers(model)) {
      tensors[`base_model.model.transformer.${name}.lora_A.weight`] = l.lora_A.weight.detach();
      tensors[`base_model.model.transformer.${name}.lora_B.weight`] = l.lora_B.weight.detach();
    }
    writeSafetensorsFile(file, tensors);
    const again = base();
    assert.deepEqual(loadPeftAdapter(again, dir).layers, ['h.0.attn.c_attn', 'h.1.attn.c_attn']);
    assert.ok(maxDiff(lastLogits(again), lastLogits(model)).abs < 1e-6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
