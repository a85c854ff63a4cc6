// LoRA (Hu et al., 2021): LoRALinear's forward and gradients (finite differences in float64),
// its initialisation (B = 0: the wrapped layer's output unchanged), merge/unmerge, and applyLora's
// choice of layers, freezing and refusals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../src/nn/layers.js';
import { Sequential } from '../../src/nn/containers.js';
import { Parameter } from '../../src/nn/parameter.js';
import { LoRALinear } from '../../src/nn/lora.js';
import { GPT } from '../../src/model/gpt.js';
import {
  applyLora,
  loraLayers,
  mergeLora,
  unmergeLora,
  mergeAndUnloadLora,
} from '../../src/model/lora-apply.js';
import { Rng, manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { train, toTokenArray } from '../../src/train/index.js';
import { randn } from '../../src/tensor/creation.js';
import { LlmfsError } from '../../src/errors.js';
import { assertClose, assertGrad, leaf } from '../helpers/assert.js';

/** A LoRALinear (5 -> 4, r 2, α 3) whose parameters are all float64 and non-zero. */
function lora64(bias = true): LoRALinear {
  const base = new Linear(5, 4, { bias });
  base.weight = new Parameter(leaf([4, 5], 1));
  if (bias) base.bias = new Parameter(leaf([4], 2));
  const l = new LoRALinear(base, { r: 2, alpha: 3 });
  l.lora_A.weight = new Parameter(leaf([2, 5], 3));
  l.lora_B.weight = new Parameter(leaf([4, 2], 4));
  return l;
}

test('LoRALinear: y = W x + b + (α/r)·B(A x), computed by hand', () => {
  const l = lora64();
  const x = leaf([3, 5], 5);
  const y = l.forward(x);
  const [W, b, A, B] = [l.weight.data, l.bias!.data, l.lora_A.weight.data, l.lora_B.weight.data];
  const want: number[] = [];
  for (let n = 0; n < 3; n++)
    for (let o = 0; o < 4; o++) {
      let s = b[o];
      for (let i = 0; i < 5; i++) s += W[o * 5 + i] * x.data[n * 5 + i];
      for (let k = 0; k < 2; k++) {
        let ax = 0;
        for (let i = 0; i < 5; i++) ax += A[k * 5 + i] * x.data[n * 5 + i];
        s += 1.5 * B[o * 2 + k] * ax;
      }
      want.push(s);
    }
  assertClose(y.data, want, 1e-12, 1e-12);
});

test('LoRALinear: gradients of x, A and B pass a float64 finite-difference check; W and b stay frozen', () => {
  for (const bias of [true, false]) {
    const l = lora64(bias);
    const x = leaf([2, 3, 5], 6);
    assertGrad((xx) => l.forward(xx), [x, l.lora_A.weight, l.lora_B.weight]);
    assert.equal(l.weight.requiresGrad, false);
    assert.equal(l.weight.grad, null);
  }
});

test('LoRALinear: starts as the wrapped layer (B = 0, A kaiming-uniform within ±1/√in)', () => {
  const base = new Linear(16, 8);
  const x = randn([3, 16]);
  const y0 = base.forward(x).data.slice();
  const l = new LoRALinear(base, { r: 4, alpha: 8, rng: new Rng(2) });
  assert.deepEqual(l.forward(x).data, y0);
  assert.ok(l.lora_B.weight.data.every((v) => v === 0));
  const bound = 1 / Math.sqrt(16);
  assert.ok(l.lora_A.weight.data.every((v) => Math.abs(v) <= bound));
  assert.ok(l.lora_A.weight.data.some((v) => v !== 0));
  assert.deepEqual(l.lora_A.weight.shape, [4, 16]);
  assert.deepEqual(l.lora_B.weight.shape, [8, 4]);
  assert.equal(l.scaling, 2);
});

test('LoRALinear: merge folds the update into W (same outputs), unmerge restores W bit for bit', () => {
  const l = lora64();
  const x = leaf([3, 5], 7);
  const y = l.forward(x).data.slice();
  const w0 = l.weight.data.slice();
  l.merge();
  assert.ok(l.merged);
  assertClose(l.forward(x).data, y, 1e-12, 1e-12);
  l.lora_B.weight.data.fill(0); // forward while merged uses W only
  assertClose(l.forward(x).data, y, 1e-12, 1e-12);
  l.unmerge();
  assert.deepEqual(l.weight.data, w0);
  assert.ok(!l.merged);
});

test('LoRALinear: refuses r larger than the layer and r < 1, in one line', () => {
  assert.throws(
    () => new LoRALinear(new Linear(8, 3), { r: 4 }),
    /r = 4 is larger than the layer \(8 -> 3\)/,
  );
  assert.throws(() => new LoRALinear(new Linear(8, 3), { r: 0 }), LlmfsError);
});

const cfg = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };

test('applyLora: wraps c_attn, c_proj, c_fc by default; names are h.N.attn.c_attn.lora_A.weight; rest frozen', () => {
  const model = new GPT(cfg);
  const names = applyLora(model, { r: 2 });
  assert.deepEqual(names, [
    'h.0.attn.c_attn',
    'h.0.attn.c_proj',
    'h.0.mlp.c_fc',
    'h.0.mlp.c_proj',
    'h.1.attn.c_attn',
    'h.1.attn.c_proj',
    'h.1.mlp.c_fc',
    'h.1.mlp.c_proj',
  ]);
  const trainable = model.trainableParameters().map(([n]) => n);
  assert.equal(trainable.length, 16);
  assert.ok(trainable.includes('h.0.attn.c_attn.lora_A.weight'));
  assert.ok(trainable.includes('h.1.mlp.c_proj.lora_B.weight'));
  assert.ok(trainable.every((n) => /lora_[AB]\.weight$/.test(n)));
  // the base keys are unchanged, so the base state dict still loads
  const keys = Object.keys(model.stateDict());
  assert.ok(keys.includes('h.0.attn.c_attn.weight') && keys.includes('h.0.attn.c_attn.bias'));
  // 2·(8+24) + 2·(8+8) + 2·(8+32) + 2·(32+8) per block
  assert.equal(
    trainable.reduce((n, name) => n + model.stateDict()[name].size, 0),
    2 * (2 * 32 + 2 * 16 + 2 * 40 + 2 * 40),
  );
});

test('applyLora: lm_head when untied; a tied lm_head, an unknown pattern or too large r is one clear error', () => {
  const untied = new GPT({ ...cfg, tieWeights: false });
  assert.deepEqual(applyLora(untied, { r: 2, targets: ['lm_head'] }), ['lm_head']);
  assert.throws(
    () => applyLora(new GPT(cfg), { r: 2, targets: ['c_attn', 'lm_head'] }),
    /target 'lm_head' matches nothing: this model's output layer is tied to wte/,
  );
  assert.throws(
    () => applyLora(new GPT(cfg), { r: 2, targets: ['q_proj'] }),
    /target 'q_proj' matches no Linear/,
  );
  assert.throws(
    () => applyLora(new GPT(cfg), { r: 9 }),
    /r = 9 is larger than layer h\.0\.attn\.c_attn \(8 -> 24\)/,
  );
  const twice = new GPT(cfg);
  applyLora(twice, { r: 2 });
  assert.throws(() => applyLora(twice, { r: 2 }), /already has LoRA layers/);
});

test('applyLora: a model trains only its adapters; merge, unmerge and mergeAndUnload keep the logits', () => {
  const model = new GPT(cfg);
  model.eval();
  const ids = randn([2, 5]);
  for (let i = 0; i < ids.size; i++) ids.data[i] = i % cfg.vocabSize;
  const base = model.forward(ids).logits.data.slice();
  applyLora(model, { r: 2, alpha: 4, rng: new Rng(1) });
  assert.deepEqual(model.forward(ids).logits.data, base); // B = 0
  for (const [, l] of loraLayers(model)) l.lora_B.weight.data.fill(0.05);
  const { logits, loss } = model.forward(ids, { targets: Array.from({ length: 10 }, (_, i) => i % 11) });
  assert.ok(logits.data.some((v, i) => v !== base[i]));
  loss!.backward();
  for (const [name, p] of model.namedParameters())
    assert.equal(p.grad !== null, name.includes('lora_'), `${name} gradient`);
  const y = logits.data.slice();
  mergeLora(model);
  assertClose(model.forward(ids).logits.data, y, 1e-5, 1e-6, 'merged');
  unmergeLora(model);
  assert.deepEqual(model.forward(ids).logits.data, y);
  mergeAndUnloadLora(model);
  assert.equal(loraLayers(model).length, 0);
  assert.ok(model.h.at(0).attn.c_attn instanceof Linear);
  assert.ok(!Object.keys(model.stateDict()).some((k) => k.includes('lora_')));
  assertClose(model.forward(ids).logits.data, y, 1e-5, 1e-6, 'unloaded');
});

test('applyLora: a Linear inside a Sequential is wrapped where forward() finds it', () => {
  const seq = new Sequential(new Linear(4, 6), new Linear(6, 3));
  const x = randn([2, 4]);
  const y0 = seq.forward(x).data.slice();
  assert.deepEqual(applyLora(seq, { r: 2, targets: ['1'] }), ['1']);
  const [[, l]] = loraLayers(seq);
  l.lora_B.weight.data.fill(0.1);
  assert.ok(seq.forward(x).data.some((v, i) => v !== y0[i]));
  mergeAndUnloadLora(seq);
  assert.ok(seq.at(1) instanceof Linear && !(seq.at(1) instanceof LoRALinear));
});

test('applyLora + train(): only lora_A / lora_B change, the base stays bit-identical, the loss falls', () => {
  manualSeed(4);
  const model = new GPT({ vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 });
  applyLora(model, { r: 4, alpha: 8, rng: new Rng(3) });
  const before = new Map(model.namedParameters().map(([n, p]) => [n, Array.from(p.data)]));
  const tokens = toTokenArray(
    Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % 13),
    13,
  );
  const cfg = {
    steps: 30,
    batchSize: 4,
    lr: 1e-2,
    warmupSteps: 0,
    evalInterval: 30,
    evalBatches: 2,
    seed: 3,
  };
  const ids = new Tensor(Float32Array.from(tokens.slice(0, 32)), [4, 8]);
  const targets = Array.from(tokens.slice(1, 33));
  const lossNow = () => (model.eval(), model.forward(ids, { targets }).loss!.item());
  const loss0 = lossNow();
  model.train();
  train(model, { train: tokens, val: tokens }, cfg);
  for (const [name, p] of model.namedParameters()) {
    const same = Array.from(p.data).every((v, i) => v === before.get(name)![i]);
    assert.equal(same, !name.includes('lora_'), `${name} ${same ? 'unchanged' : 'changed'}`);
  }
  const loss1 = lossNow();
  assert.ok(loss1 < loss0 - 0.1, `loss ${loss0} -> ${loss1}`);
});

test('LoRALinear: merge without a copy (for good) gives the same outputs; unmerge then subtracts', () => {
  const l = lora64();
  const x = leaf([3, 5], 8);
  const y = l.forward(x).data.slice();
  const w0 = l.weight.data.slice();
  l.merge({ keepCopy: false });
  assertClose(l.forward(x).data, y, 1e-12, 1e-12);
  l.unmerge();
  assertClose(l.weight.data, w0, 1e-12, 1e-12);
});
