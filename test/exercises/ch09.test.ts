// Chapter 9's exercise: the stub fails as "not written yet", the reference solution passes (and
// with it installed, the PyTorch-written tiny GPT-2 fixture loads with PyTorch's logits), a
// tensor-op solution passes, and the two plausible mistakes (no transpose, a reshape) are named.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter9 } from '../../src/exercises/catalog/ch09.js';
import { runExercise } from '../../src/exercises/run.js';
import { withImplementations } from '../../src/exercises/registry.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { golden, maxDiff, TINY } from '../interop/helpers.js';

const spec = chapter9.find((e) => e.id === 'conv1d-to-linear')!;
const check = (fn: unknown) => runExercise(spec, fn as LearnerFn);

test('conv1d-to-linear: the stub fails as not written yet; the reference solution passes every check', async () => {
  const stub = await import('../../exercises/stubs/09-conv1d-to-linear.js');
  const r0 = check(stub.conv1dToLinear);
  assert.equal(r0.passed, false);
  assert.match(r0.message!, /not written conv1dToLinear yet/);
  const sol = await import('../../exercises/solutions/09-conv1d-to-linear.js');
  const r = check(sol.conv1dToLinear);
  assert.equal(r.passed, true, r.message);
  assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
});

test("conv1d-to-linear: with the solution installed, the tiny HF GPT-2 fixture gives PyTorch's logits", async () => {
  const sol = await import('../../exercises/solutions/09-conv1d-to-linear.js');
  const { model } = withImplementations({ conv1dToLinear: sol.conv1dToLinear }, () => loadPretrained(TINY));
  const logits = noGrad(() => model.forward(tensor([golden.ids])).logits.data);
  assert.ok(maxDiff(logits as Float32Array, golden.tiny.logits).abs < 1e-4);
  model.dispose();
});

test('conv1d-to-linear: a solution with tensor ops (transpose) passes', () => {
  const r = check((w: Tensor) => w.transpose(0, 1));
  assert.equal(r.passed, true, r.message);
});

test('conv1d-to-linear: returning the weight untransposed is named (the square case keeps its shape)', () => {
  const r = check((w: Tensor) => w);
  assert.equal(r.passed, false);
  assert.match(r.message!, /transposed\?/); // (4, 12) vs (12, 4): the shape says it
  const sq = r.checks.find((c) => c.name.startsWith('square'))!;
  assert.match(sq.message!, /came back as stored: it must be transposed/);
});

test('conv1d-to-linear: a reshape to (out, in) is named', () => {
  const r = check((w: Tensor) => w.reshape(w.shape[1]!, w.shape[0]!));
  assert.equal(r.passed, false);
  assert.match(r.message!, /only the shape changed \(a reshape\)/);
  // the integration step alone would catch it too: the reloaded model's logits differ
  const reshape = (w: Tensor) => w.reshape(w.shape[1]!, w.shape[0]!);
  const o = withImplementations({ conv1dToLinear: reshape }, () => spec.extra![0]!.run());
  assert.equal(o.passed, false);
  assert.match(o.message, /different logits/);
});
