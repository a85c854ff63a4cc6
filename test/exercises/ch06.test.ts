// Chapter 6 exercises: each stub fails as "not written yet", each reference solution passes, and
// planted mistakes (a softmax without max-subtraction, a mean that counts ignored rows, a forward
// without positions or ln_f) are rejected with a message that names them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, linear, type GPT } from '../../src/index.js';
import { runExercise } from '../../src/exercises/run.js';
import { findExercise } from '../../src/exercises/catalog.js';
import type { LearnerFn } from '../../src/exercises/spec.js';

const check = (id: string, fn: unknown) => {
  const s = findExercise(id);
  assert.ok(s, `exercise ${id} is in the catalog`);
  return runExercise(s, fn as LearnerFn);
};

const EXERCISES: [id: string, exportName: string][] = [
  ['gpt-forward', 'gptForward'],
  ['cross-entropy', 'crossEntropy'],
];

for (const [id, name] of EXERCISES) {
  test(`${id}: the stub is reported as not written yet`, async () => {
    const stub = (await import(`../../exercises/stubs/06-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, stub[name]);
    assert.equal(r.passed, false);
    assert.match(r.message!, /not written .* yet/);
  });

  test(`${id}: the reference solution passes every check`, async () => {
    const sol = (await import(`../../exercises/solutions/06-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.ok(r.passed, JSON.stringify(r.checks, null, 1));
    assert.ok(r.checks.some((c) => c.kind === 'integration'));
  });
}

/** A cross-entropy over the rows `counted` picks, log-softmax computed by `logSoftmax`. */
const ceWith =
  (logSoftmax: (z: Tensor) => Tensor, countIgnored: boolean) =>
  (logits: Tensor, targets: readonly number[], ignoreIndex: number) => {
    const [N, V] = logits.shape;
    const onehot = new Float32Array(N! * V!);
    let M = 0;
    targets.forEach((t, n) => {
      if (t === ignoreIndex) return;
      onehot[n * V! + t] = 1;
      M++;
    });
    const picked = logSoftmax(logits)
      .mul(new Tensor(onehot, [N!, V!]))
      .sum();
    return picked.div(countIgnored ? N! : M).neg();
  };

test('cross-entropy: a softmax without max-subtraction overflows on large logits and is rejected', () => {
  const naive = (z: Tensor) => z.sub(z.exp().sum(-1, true).log());
  const r = check('cross-entropy', ceWith(naive, false));
  assert.equal(r.passed, false);
  assert.match(r.message!, /large logits/);
  assert.match(r.message!, /overflow.*max/);
});

test('cross-entropy: a mean over every row, ignored ones included, is rejected', () => {
  const r = check(
    'cross-entropy',
    ceWith((z) => z.logSoftmax(-1), true),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /counts the ignored rows/);
});

test('cross-entropy: a correct loss written differently (one-hot weights over all rows) passes', () => {
  const stable = (z: Tensor) => {
    const s = z.sub(z.max(-1, true));
    return s.sub(s.exp().sum(-1, true).log());
  };
  const r = check('cross-entropy', ceWith(stable, false));
  assert.ok(r.passed, JSON.stringify(r.checks, null, 1));
});

const forwardWithout = (skip: 'positions' | 'ln_f') => (m: GPT, idx: Tensor) => {
  const T = idx.shape[1]!;
  let x = m.wte.forward(idx);
  if (skip !== 'positions') x = x.add(m.wpe!.forward(Array.from({ length: T }, (_, t) => t)));
  for (const block of m.h) x = block.forward(x);
  if (skip !== 'ln_f') x = m.ln_f.forward(x);
  return m.lm_head ? m.lm_head.forward(x) : linear(x, m.wte.weight);
};

test('gpt-forward: a forward without position embeddings is rejected with a message saying so', () => {
  const r = check('gpt-forward', forwardWithout('positions'));
  assert.equal(r.passed, false);
  assert.match(r.message!, /position embeddings are missing/);
});

test('gpt-forward: a forward without the final layer norm is rejected with a message saying so', () => {
  const r = check('gpt-forward', forwardWithout('ln_f'));
  assert.equal(r.passed, false);
  assert.match(r.message!, /ln_f is missing/);
});
