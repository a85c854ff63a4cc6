// Frozen parameters: module.freeze() (or requiresGrad = false) keeps a parameter out of the
// gradient computation and out of the optimizer. Training leaves frozen weights bit-identical
// with no gradient, and an op whose inputs are all frozen records no backward.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { GPT } from '../../src/model/index.js';
import { Linear } from '../../src/nn/index.js';
import { train, toTokenArray } from '../../src/train/index.js';
import { LlmfsError } from '../../src/errors.js';
import { spawnSync } from 'node:child_process';

const cfg = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const tokens = toTokenArray(
  Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % 13),
  13,
);
const quick = { steps: 5, batchSize: 2, lr: 1e-2, warmupSteps: 0, evalInterval: 5, evalBatches: 1, seed: 3 };

test('freeze: an op whose inputs are all frozen records no backward; unfreeze restores it', () => {
  const lin = new Linear(3, 2).freeze();
  const x = T.randn([4, 3]);
  const y = lin.forward(x);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.node, null);
  lin.unfreeze();
  const z = lin.forward(x);
  assert.ok(z.requiresGrad && z.node !== null);
  z.sum().backward();
  assert.equal(lin.weight.grad!.size, 6);
  lin.zeroGrad();
  lin.weight.requiresGrad = false; // one parameter frozen by hand: the bias still learns
  lin.forward(x).sum().backward();
  assert.equal(lin.weight.grad, null);
  assert.ok(lin.bias!.grad !== null);
});

test('freeze: training leaves frozen weights bit-identical with a null grad, and trains the rest', () => {
  T.manualSeed(4);
  const model = new GPT(cfg);
  model.wte.freeze();
  model.h.at(0).freeze();
  const frozen = model.namedParameters().filter(([, p]) => !p.requiresGrad);
  assert.deepEqual(frozen.map(([n]) => n).slice(0, 2), ['wte.weight', 'h.0.ln_1.weight']);
  const before = new Map(model.namedParameters().map(([n, p]) => [n, Array.from(p.data)]));
  train(model, { train: tokens, val: tokens }, quick);
  for (const [name, p] of model.namedParameters()) {
    if (p.requiresGrad) assert.notDeepEqual(Array.from(p.data), before.get(name), `${name} trains`);
    else {
      assert.deepEqual(Array.from(p.data), before.get(name), `${name} is frozen`);
      assert.equal(p.grad, null, `${name} has no gradient`);
    }
  }
  assert.equal(model.trainableParameters().length, model.parameters().length - frozen.length);
});

test('freeze: a model frozen entirely is one clear error from train()', () => {
  T.manualSeed(5);
  const model = new GPT(cfg).freeze();
  assert.throws(
    () => train(model, { train: tokens, val: tokens }, quick),
    (e: Error) => e instanceof LlmfsError && /every parameter is frozen/.test(e.message),
  );
});

test('llmfs model info: the table shows trainable vs frozen parameters (--freeze wte,h.0)', () => {
  const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
  const info = (...a: string[]) =>
    spawnSync(process.execPath, [bin, 'model', 'info', '--preset', 'tiny', ...a], { encoding: 'utf8' });
  const plain = info();
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^preset tiny: 118,528 parameters \(118,528 trainable, 0 frozen\)/);
  assert.match(plain.stdout, /module\s+parameters\s+x\s+total\s+trainable\s+frozen\s+tensors/);
  assert.match(plain.stdout, /\nh\.\*\.attn\.c_attn\s+12,480\s+2\s+24,960\s+24,960\s+0\s+weight/);
  const r = info('--freeze', 'wte,h.0', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // wte (256 x 64) and block 0 (26,112) frozen: the rest trains.
  assert.equal(j.frozen, 16384 + 2 * 128 + 12480 + 4160 + 16640 + 16448);
  assert.equal(j.trainable + j.frozen, j.parameters);
  const row = (m: string) => j.modules.find((x: { module: string }) => x.module === m);
  assert.deepEqual([row('wte').trainable, row('wte').frozen], [0, 16384]);
  assert.deepEqual([row('h.1.attn.c_attn').trainable, row('h.0.attn.c_attn').frozen], [12480, 12480]);
  const bad = info('--freeze', 'nope');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error: model info: --freeze 'nope' matches no module or parameter/);
});
