// Our engine against PyTorch: forward values and every gradient of small graphs, from the
// fixture made by scripts/make-engine-fixtures.py (float32 in both; 1e-5 relative agreement).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { assertClose } from '../helpers/assert.js';

interface MlpCase {
  approximate: 'none' | 'tanh';
  labelSmoothing: number;
  shapes: Record<string, number[]>;
  inputs: Record<string, number[]>;
  targets: number[];
  logits: number[];
  probs: number[];
  loss: number;
  total: number;
  grads: Record<string, number[]>;
}

const golden = JSON.parse(readFileSync(new URL('../fixtures/engine-golden.json', import.meta.url), 'utf8'));
const RTOL = 1e-5;
const ATOL = 1e-6;

function leaves(c: {
  shapes: Record<string, number[]>;
  inputs: Record<string, number[]>;
}): Record<string, T.Tensor> {
  const out: Record<string, T.Tensor> = {};
  for (const [k, shape] of Object.entries(c.shapes))
    out[k] = T.fromArray(c.inputs[k], shape, { requiresGrad: true });
  return out;
}

for (const [name, c] of Object.entries(golden.cases as Record<string, MlpCase>)) {
  if (!name.startsWith('mlp_')) continue;
  test(`torch golden: linear + GELU(${c.approximate}) + LayerNorm + softmax + crossEntropy (smoothing ${c.labelSmoothing}), ${name}`, () => {
    const p = leaves(c);
    let h = T.linear(p.x, p.w1, p.b1).gelu(c.approximate);
    h = T.layerNorm(h, p.lnw, p.lnb, 1e-5);
    const logits = T.linear(h, p.w2, p.b2);
    const probs = logits.softmax(-1);
    const V = p.w2.shape[0];
    const loss = T.crossEntropy(logits.reshape(-1, V), c.targets, { labelSmoothing: c.labelSmoothing });
    const total = loss.add(probs.mul(probs).sum().mul(0.1));
    total.backward();
    assertClose(logits.data, c.logits, RTOL, ATOL, 'logits');
    assertClose(probs.data, c.probs, RTOL, ATOL, 'probs');
    assertClose([loss.item()], [c.loss], RTOL, ATOL, 'loss');
    assertClose([total.item()], [c.total], RTOL, ATOL, 'total');
    for (const k of Object.keys(c.grads)) {
      assert.ok(p[k].grad, `no gradient for ${k}`);
      assertClose(p[k].grad!.data, c.grads[k], RTOL, ATOL, `grad ${k}`);
    }
  });
}

test('torch golden: broadcast batched matmul, logSoftmax on a middle axis, var, max, tanh', () => {
  const c = golden.cases.batched_matmul;
  const p = leaves(c);
  const y = p.a.matmul(p.b);
  assert.deepEqual(y.shape, [2, 3, 3, 5]);
  const z = y.logSoftmax(1);
  const out = z.var(-1).sum().add(y.max(2).sum().mul(0.5)).add(y.tanh().mean());
  out.backward();
  assertClose(y.data, c.y, RTOL, ATOL, 'y');
  assertClose(z.data, c.z, RTOL, ATOL, 'z');
  assertClose([out.item()], [c.out], RTOL, ATOL, 'out');
  assertClose(p.a.grad!.data, c.grads.a, RTOL, ATOL, 'grad a');
  assertClose(p.b.grad!.data, c.grads.b, RTOL, ATOL, 'grad b');
});

test('torch golden: pointwise functions and their derivatives on [-6, 6]', () => {
  const c = golden.cases.pointwise;
  const fns: Record<string, (t: T.Tensor) => T.Tensor> = {
    gelu: (t) => t.gelu(),
    gelu_tanh: (t) => t.gelu('tanh'),
    silu: (t) => t.silu(),
    sigmoid: (t) => t.sigmoid(),
    tanh: (t) => t.tanh(),
    relu: (t) => t.relu(),
  };
  for (const [k, f] of Object.entries(fns)) {
    const x = T.fromArray(c.x, [c.x.length], { requiresGrad: true });
    const y = f(x);
    y.sum().backward();
    assertClose(y.data, c.fns[k].y, RTOL, ATOL, `${k} values`);
    assertClose(x.grad!.data, c.fns[k].dy, RTOL, ATOL, `${k} derivative`);
  }
});
