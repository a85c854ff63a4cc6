// SGD against hand-computed updates and a 2-layer MLP learning two spirals from scratch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Linear, Sequential, Tanh, Parameter } from '../../src/nn/index.js';
import { SGD } from '../../src/train/sgd.js';
import { assertClose } from '../helpers/assert.js';

test('SGD: plain, momentum and weight-decay updates match torch.optim.SGD by hand', () => {
  const p = new Parameter(T.tensor([1, -2]));
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  // step 1: g = grad + 0.01 θ; v = g; θ -= 0.1 v
  p.grad = T.tensor([0.5, 0.5]);
  opt.step();
  const g1 = [0.5 + 0.01 * 1, 0.5 + 0.01 * -2];
  const t1 = [1 - 0.1 * g1[0], -2 - 0.1 * g1[1]];
  assertClose(p.data, t1, 1e-6);
  // step 2: v = 0.9 v + g
  p.grad = T.tensor([1, 0]);
  opt.step();
  const g2 = [1 + 0.01 * t1[0], 0 + 0.01 * t1[1]];
  const v2 = [0.9 * g1[0] + g2[0], 0.9 * g1[1] + g2[1]];
  assertClose(p.data, [t1[0] - 0.1 * v2[0], t1[1] - 0.1 * v2[1]], 1e-6);
});

/** Two interleaved spirals (Lang & Witbrock, 1988): a classic task no linear model solves. */
function spirals(n: number, rng: T.Rng): { x: T.Tensor; y: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const r = (i / n) * 0.9 + 0.1;
    const theta = (i / n) * 3 * Math.PI + cls * Math.PI;
    xs.push(r * Math.cos(theta) + 0.02 * rng.normal(), r * Math.sin(theta) + 0.02 * rng.normal());
    ys.push(cls);
  }
  return { x: T.fromArray(xs, [n, 2]), y: ys };
}

test('a 2-layer MLP trained with SGD drives the two-spirals loss below 0.15 and fits 95% of points', () => {
  const rng = new T.Rng(42);
  const { x, y } = spirals(200, rng);
  const model = new Sequential(new Linear(2, 64, { rng }), new Tanh(), new Linear(64, 2, { rng }));
  const opt = new SGD(model.parameters(), { lr: 0.3, momentum: 0.9 });
  const first = T.crossEntropy(model.forward(x), y).item();
  let loss = first;
  for (let step = 0; step < 1500; step++) {
    const l = T.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
    loss = l.item();
  }
  const pred = T.noGrad(() => model.forward(x).argmax(-1));
  const acc = y.filter((c, i) => pred.data[i] === c).length / y.length;
  assert.ok(first > 0.6, `initial loss ${first} should be near ln 2`);
  assert.ok(loss < 0.15, `final loss ${loss} should be below 0.15`);
  assert.ok(acc >= 0.95, `accuracy ${acc} should be at least 0.95`);
});
