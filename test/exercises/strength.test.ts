// The checks hold against plausible wrong answers found by trying to break them (issue 13): each
// argument the cases vary must really be used, and a right answer in another form still passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findExercise, runExercise, type LearnerFn } from '../../src/exercises/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { GPT } from '../../src/model/gpt.js';
import { sumToShape } from '../../src/tensor/ops/broadcast.js';
import { linear } from '../../src/tensor/ops/matmul.js';

const check = (id: string, fn: unknown) => runExercise(findExercise(id)!, fn as LearnerFn);

test('layer-norm: dropping the weight when there is no bias (GPT({ bias: false })) is caught', () => {
  const r = check('layer-norm', (x: Tensor, w: Tensor | null, b: Tensor | null, eps: number) => {
    const m = x.mean(-1, true);
    const d = x.sub(m);
    let y = d.div(d.mul(d).mean(-1, true).add(eps).sqrt());
    if (w && b) y = y.mul(w).add(b);
    return y;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /^weight but no bias/);
});

test('layer-norm: eps written as the constant 1e-5 instead of the argument is caught', () => {
  const r = check('layer-norm', (x: Tensor, w: Tensor | null, b: Tensor | null) => {
    const d = x.sub(x.mean(-1, true));
    let y = d.div(d.mul(d).mean(-1, true).add(1e-5).sqrt());
    if (w) y = y.mul(w);
    if (b) y = y.add(b);
    return y;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /eps 0\.1/);
});

test('gpt-forward: leaving out the dropout after the embeddings is caught, and named', () => {
  const r = check('gpt-forward', (m: GPT, idx: Tensor) => {
    const T = idx.shape[1]!;
    let x = m.wte.forward(idx).add(m.wpe!.forward(Array.from({ length: T }, (_, t) => t)));
    for (const block of m.h) x = block.forward(x);
    x = m.ln_f.forward(x);
    return m.lm_head ? m.lm_head.forward(x) : linear(x, m.wte.weight);
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /apply model\.drop/);
});

type Adam = { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; step: number };
const adamw =
  (o2: { hardBeta1?: boolean; decayAfter?: boolean }) =>
  (p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, o: Adam) => {
    const b1 = o2.hardBeta1 ? 0.9 : o.beta1;
    for (let i = 0; i < p.length; i++) {
      if (!o2.decayAfter) p[i]! -= o.lr * o.weightDecay * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * g[i]! * g[i]!;
      p[i]! -= (o.lr * (m[i]! / (1 - b1 ** o.step))) / (Math.sqrt(v[i]! / (1 - o.beta2 ** o.step)) + o.eps);
      if (o2.decayAfter) p[i]! -= o.lr * o.weightDecay * p[i]!;
    }
    return { param: p, m, v };
  };

test('adamw-step: a loop version passes; β1 hard-coded as 0.9, or decay after the step, is caught', () => {
  assert.equal(check('adamw-step', adamw({})).passed, true);
  const hard = check('adamw-step', adamw({ hardBeta1: true }));
  assert.equal(hard.passed, false);
  assert.match(hard.message!, /other β1/);
  const after = check('adamw-step', adamw({ decayAfter: true }));
  assert.equal(after.passed, false);
  assert.match(after.message!, /decay uses θ before the step/);
});

test('mul-backward and matmul-backward: gradients already summed to the input shapes also pass', () => {
  const mul = check('mul-backward', (a: Tensor, b: Tensor, g: Tensor) => [
    sumToShape(g.mul(b), a.shape),
    sumToShape(g.mul(a), b.shape),
  ]);
  assert.equal(mul.passed, true, mul.message);
  const mm = check('matmul-backward', (a: Tensor, b: Tensor, g: Tensor) => [
    sumToShape(g.matmul(b.transpose(-2, -1)), a.shape),
    sumToShape(a.transpose(-2, -1).matmul(g), b.shape),
  ]);
  assert.equal(mm.passed, true, mm.message);
});

test('bpe-merge: changing the ids in place is named (the library keeps using them)', () => {
  const r = check('bpe-merge', (ids: number[], pair: [number, number], id: number) => {
    for (let i = 0; i + 1 < ids.length; i++)
      if (ids[i] === pair[0] && ids[i + 1] === pair[1]) ids.splice(i, 2, id);
    return ids;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /changed its argument 1 in place/);
});

test('top-p without max-subtraction: the message names the overflow, not an off-by-one', () => {
  const r = check('top-p', (logits: Float64Array, p: number) => {
    const e = Array.from(logits, Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    const order = [...logits.keys()].sort((i, j) => logits[j]! - logits[i]! || i - j);
    const out = Float64Array.from(logits);
    let cum = 0;
    let keep = true;
    for (const i of order) {
      if (!keep) out[i] = -Infinity;
      cum += e[i]! / s;
      if (cum >= p) keep = false;
    }
    return out;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /overflows to Infinity.*subtract the max/);
});
