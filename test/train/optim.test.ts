// Optimizers against torch.optim trajectories (fixture from scripts/make-optim-fixtures.py),
// schedules, clipping, parameter groups, and optimizer state that round-trips exactly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { Parameter, Linear, LayerNorm, Module, Embedding } from '../../src/nn/index.js';
import { AdamW, Adam } from '../../src/train/adamw.js';
import { SGD } from '../../src/train/sgd.js';
import type { Optimizer } from '../../src/train/optimizer.js';
import { makeSchedule } from '../../src/train/schedule.js';
import { clipGradNorm } from '../../src/train/clip.js';
import { decayGroups } from '../../src/train/param-groups.js';
import { assertClose } from '../helpers/assert.js';

const golden = JSON.parse(readFileSync(new URL('../fixtures/optim-golden.json', import.meta.url), 'utf8'));

const makers: Record<string, (p: Parameter[]) => Optimizer> = {
  adamw: (p) => new AdamW(p, { lr: 0.01, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1 }),
  adam_l2: (p) => new Adam(p, { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.05 }),
  sgd_momentum: (p) => new SGD(p, { lr: 0.05, momentum: 0.9 }),
  sgd_nesterov: (p) => new SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }),
};

for (const [name, make] of Object.entries(makers)) {
  test(`${name} follows torch.optim's trajectory over six steps`, () => {
    const p = new Parameter(T.tensor(golden.p0));
    const opt = make([p]);
    golden.grads.forEach((g: number[], i: number) => {
      p.grad = T.tensor(g);
      opt.step();
      assertClose(p.data, golden.cases[name][i], 1e-5, 1e-6, `${name} step ${i + 1}`);
    });
  });
}

test('optimizer state exports and imports exactly: a restored optimizer continues identically', () => {
  const run = (restoreAt: number | null) => {
    const p = new Parameter(T.tensor(golden.p0));
    let opt = new AdamW([p], { lr: 0.01 });
    golden.grads.forEach((g: number[], i: number) => {
      if (i === restoreAt) {
        const saved = opt.exportState([['w', p]]);
        opt = new AdamW([p], { lr: 0.01 });
        opt.importState([['w', p]], saved);
      }
      p.grad = T.tensor(g);
      opt.step();
    });
    return p.toList();
  };
  assert.deepEqual(run(3), run(null));
});

test('exported optimizer state is a snapshot: later steps and dispose() leave it as it was', () => {
  for (const make of [
    (ps: Parameter[]) => new AdamW(ps, { lr: 0.01 }),
    (ps: Parameter[]) => new SGD(ps, { lr: 0.01, momentum: 0.9 }),
  ]) {
    const p = new Parameter(T.tensor([0.5, -1, 2]));
    const opt: Optimizer = make([p]);
    p.grad = T.tensor([0.1, 0.2, -0.3]);
    opt.step();
    const saved = opt.exportState([['w', p]]);
    const values = Object.fromEntries(Object.entries(saved.tensors).map(([k, t]) => [k, Array.from(t.data)]));
    p.grad = T.tensor([1, -2, 3]);
    opt.step(); // the live moments change
    opt.dispose(); // and their memory is given back (reused by the next optimizer on wasm)
    const again = make([p]);
    p.grad = T.tensor([5, 5, 5]);
    again.step();
    for (const [k, t] of Object.entries(saved.tensors)) assert.deepEqual(Array.from(t.data), values[k], k);
  }
});

test('schedules: warm-up, cosine to the floor, step decay', () => {
  const cos = makeSchedule({ kind: 'cosine', lr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 });
  assertClose([cos(0), cos(4), cos(9)], [0.1, 0.5, 1]);
  assertClose([cos(10), cos(60), cos(110), cos(500)], [1, 0.55, 0.1, 0.1]);
  const step = makeSchedule({ kind: 'step', lr: 1, stepSize: 5, gamma: 0.5 });
  assertClose([step(0), step(4), step(5), step(12)], [1, 1, 0.5, 0.25]);
  assert.equal(makeSchedule({ kind: 'constant', lr: 0.3 })(1000), 0.3);
  assert.throws(
    () => makeSchedule({ kind: 'cosine', lr: 1, warmupSteps: 10, totalSteps: 5 }),
    /cosine needs totalSteps/,
  );
});

test('clipGradNorm scales all gradients by one factor to the max norm and returns the old norm', () => {
  const a = new Parameter(T.zeros([2]));
  const b = new Parameter(T.zeros([1]));
  a.grad = T.tensor([3, 0]);
  b.grad = T.tensor([4]);
  assert.equal(clipGradNorm([a, b], 1), 5);
  assertClose([...a.grad.data, ...b.grad.data], [0.6, 0, 0.8], 1e-5);
  assertClose([clipGradNorm([a, b], 10)], [1], 1e-5);
  assertClose([...a.grad.data, ...b.grad.data], [0.6, 0, 0.8], 1e-5); // under the limit: unchanged
});

test('weight decay groups: matrices decay; biases, norms and embeddings do not', () => {
  class M extends Module {
    wte = new Embedding(5, 4);
    fc = new Linear(4, 4);
    ln = new LayerNorm(4);
  }
  const m = new M();
  const [decay, noDecay] = decayGroups(m, 0.1);
  assert.deepEqual(decay.params, [m.fc.weight]);
  assert.equal(decay.weightDecay, 0.1);
  assert.equal(noDecay.weightDecay, 0);
  assert.equal(noDecay.params.length, 4);
});
