// Modules: parameter naming by field, tied parameters, train/eval, state dicts with checks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import {
  Module,
  Linear,
  Embedding,
  LayerNorm,
  RMSNorm,
  Dropout,
  Sequential,
  ModuleList,
  GELU,
  Parameter,
  init,
} from '../../src/nn/index.js';
import { LlmfsError } from '../../src/errors.js';
import { assertClose } from '../helpers/assert.js';

class Block extends Module {
  ln_1 = new LayerNorm(4);
  mlp = new Sequential(new Linear(4, 8), new GELU('tanh'), new Linear(8, 4));
  drop = new Dropout(0.1);
  forward(x: T.Tensor): T.Tensor {
    return x.add(this.drop.forward(this.mlp.forward(this.ln_1.forward(x))));
  }
}

class Tiny extends Module {
  wte = new Embedding(10, 4);
  h = new ModuleList([new Block(), new Block()]);
  head = new Linear(4, 10, { bias: false });
  constructor() {
    super();
    this.head.weight = this.wte.weight; // weight tying, as GPT-2
  }
}

test('named parameters follow the field names, in order, with tied weights listed once', () => {
  const m = new Tiny();
  const names = m.namedParameters().map(([n]) => n);
  assert.deepEqual(names.slice(0, 7), [
    'wte.weight',
    'h.0.ln_1.weight',
    'h.0.ln_1.bias',
    'h.0.mlp.0.weight',
    'h.0.mlp.0.bias',
    'h.0.mlp.2.weight',
    'h.0.mlp.2.bias',
  ]);
  assert.ok(!names.includes('head.weight'));
  assert.equal(m.numParameters(), 40 + 2 * (8 + 40 + 36));
});

test('train/eval propagate to every descendant', () => {
  const m = new Tiny();
  m.eval();
  assert.equal(m.h.at(1).drop.training, false);
  m.train();
  assert.equal(m.h.at(0).drop.training, true);
});

test('stateDict and loadStateDict round-trip; shape, missing and unexpected names are errors', () => {
  T.manualSeed(1);
  const a = new Tiny();
  T.manualSeed(2);
  const b = new Tiny();
  b.loadStateDict(a.stateDict());
  for (const [name, p] of b.namedParameters()) assert.deepEqual(p.toList(), a.stateDict()[name].toList());
  const sd = a.stateDict();
  sd['h.0.ln_1.weight'] = T.zeros([5]);
  delete sd['wte.weight'];
  sd['extra'] = T.zeros([1]);
  assert.throws(
    () => b.loadStateDict(sd),
    (e: Error) =>
      e instanceof LlmfsError &&
      /'h\.0\.ln_1\.weight' has shape \(5\) but the model expects \(4\)/.test(e.message) &&
      /missing 'wte\.weight'/.test(e.message) &&
      /unexpected 'extra'/.test(e.message),
  );
  const partial = a.stateDict();
  delete partial['wte.weight'];
  b.loadStateDict(partial, { strict: false });
});

test('Linear has PyTorch default init bounds and computes x Wᵀ + b', () => {
  const l = new Linear(16, 3, { rng: new T.Rng(0) });
  const bound = 1 / 4;
  assert.ok(l.weight.toList().every((v) => Math.abs(v) <= bound));
  const x = T.randn([2, 16]);
  assertClose(l.forward(x).data, x.matmul(l.weight.transpose()).add(l.bias!).data, 1e-5);
});

test('RMSNorm scales rows to unit root-mean-square', () => {
  const y = new RMSNorm(4, { eps: 0 }).forward(T.tensor([[1, 2, 3, 4]]));
  assertClose([y.pow(2).mean().item()], [1], 1e-5);
});

test('initialisers: normal std, xavier and kaiming bounds', () => {
  const t = T.zeros([256, 128]);
  init.normal(t, 0, 0.02, new T.Rng(0));
  assert.ok(Math.abs(Math.sqrt(t.var().item()) - 0.02) < 0.001);
  init.xavierUniform(t, 1, new T.Rng(0));
  const xb = Math.sqrt(6 / (256 + 128));
  assert.ok(t.toList().every((v) => Math.abs(v) <= xb));
  init.kaimingNormal(t, { rng: new T.Rng(0) });
  assert.ok(Math.abs(Math.sqrt(t.var().item()) - Math.sqrt(2 / 128)) < 0.005);
  init.kaimingUniform(t, { rng: new T.Rng(0), mode: 'fanOut' });
  assert.ok(t.toList().every((v) => Math.abs(v) <= Math.sqrt(6 / 256)));
  assert.ok(new Parameter(T.zeros([2])).requiresGrad);
});

test('a block runs forward and backward, and every parameter gets a gradient', () => {
  const b = new Block();
  const x = T.randn([2, 3, 4]);
  b.forward(x).sum().backward();
  for (const [name, p] of b.namedParameters()) assert.ok(p.grad, `${name} has no gradient`);
});
