// The run-findings rules on synthetic runs: a healthy run gives no finding but "nothing looks
// wrong"; each rule fires on the run made to break it, and not when its excuse is there (warm-up
// on, clipping on, weights from --init, a spike the loss came straight back from).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRun, type RunData } from '../../src/diagnose/run-findings.js';
import type { HealthRecord } from '../../src/diagnose/training-health.js';

const N = 300;
/** Deterministic ±2% noise (a hashed sine), no RNG. */
const noise = (step: number) => 0.02 * Math.sin(step * 12.9898 + 78.233 * Math.sin(step));

function record(
  step: number,
  o: Partial<{ ratio: number; std: number[]; dead: number; entropy: number }> = {},
) {
  const ratio = o.ratio ?? 1e-3;
  const std = o.std ?? (step === 1 ? [0.03, 0.031, 0.032, 0.033] : [0.1, 1, 1.1, 1.2]);
  const groups = ['embeddings', 'h.0', 'h.1', 'h.2', 'head'].map((name) => ({
    name,
    gradNorm: 0.5,
    updateRatio: ratio,
    weightNorm: 10,
  }));
  const layers = [0, 1, 2].map(() => ({
    dead: o.dead ?? 0,
    flat: 0.01,
    attnEntropy: o.entropy ?? 2,
    headEntropy: [o.entropy ?? 2],
  }));
  return { step, groups, residual: std.map((s) => ({ mean: 0, std: s })), layers } satisfies HealthRecord;
}

/** 300 steps of a loss decaying from ln(100) to ~1.7, gradient norms ~1, evaluations every 50 steps. */
function healthy(): RunData {
  const steps = Array.from({ length: N }, (_, i) => {
    const step = i + 1;
    const loss = (Math.log(100) - 1.7) * Math.exp(-step / 60) + 1.7;
    return { step, loss: loss * (1 + (step === 1 ? 0 : noise(step))), gradNorm: 1 + 5 * noise(step + 7) };
  });
  const evals = [50, 100, 150, 200, 250, 300].map((step) => ({
    step,
    trainLoss: steps[step - 1].loss,
    valLoss: steps[step - 1].loss + 0.05,
  }));
  return {
    config: { steps: N, lr: 1e-3, warmupSteps: 30, gradClip: 1 },
    vocabSize: 100,
    steps,
    evals,
    health: [1, 50, 100, 150, 200, 250, 300].map((s) => record(s)),
  };
}
const ids = (run: RunData) => analyzeRun(run).findings.map((f) => f.id);
const find = (run: RunData, id: string) => analyzeRun(run).findings.find((f) => f.id === id);

test('a healthy run: nothing looks wrong', () => {
  assert.deepEqual(ids(healthy()), ['healthy']);
});

test('without diagnostics.jsonl: says what --diagnostics would add, and judges the log alone', () => {
  const run = { ...healthy(), health: null };
  assert.deepEqual(ids(run), ['healthy', 'no-diagnostics']);
  assert.match(find(run, 'no-diagnostics')!.fix, /--diagnostics.*update\/weight ratios/);
});

test('NaN: a non-finite loss or gradient norm', () => {
  const run = healthy();
  run.steps[99].gradNorm = Infinity;
  run.steps[150].loss = NaN;
  assert.match(find(run, 'nan')!.what, /step 100, 151/);
});

test('learning rate too high: the loss climbing back, big updates, blown-up activations, collapsed attention', () => {
  const rising = healthy();
  for (const s of rising.steps) if (s.step > 150) s.loss += (s.step - 150) / 100;
  assert.match(find(rising, 'lr-too-high')!.what, /the loss rose from/);

  const big = healthy();
  big.health = big.health!.map((r) => (r.step === 1 ? r : record(r.step, { ratio: 3e-2 })));
  assert.match(find(big, 'lr-too-high')!.what, /update\/weight ratios around 0.030.*30×/);

  const blown = healthy();
  blown.health![2] = record(100, { std: [0.4, 300, 600, 900], entropy: 0.01 });
  const f = find(blown, 'lr-too-high')!;
  assert.match(f.what, /std reached 900/);
  assert.match(f.what, /attention entropy collapsed to 0.010 nats in h.0 \(step 100\)/);
  assert.equal(f.severity, 'problem');
});

test('spikes: one the loss stays up after is the learning rate; a brief one is a hard batch', () => {
  const lasting = healthy();
  for (const s of lasting.steps) if (s.step >= 200) s.loss *= 1.5;
  assert.match(find(lasting, 'lr-too-high')!.what, /1 loss spike\(s\) \(at step 20\d\)/);

  const brief = healthy();
  brief.steps[199].loss *= 1.5;
  assert.equal(find(brief, 'lr-too-high'), undefined);
  assert.match(
    find(brief, 'isolated-spikes')!.what,
    /1 brief loss spike\(s\) at step 200, from which the loss came straight back/,
  );
});

test('no warm-up: a huge step-1 update with --warmup 0, not with a warm-up', () => {
  const run = healthy();
  run.health![0] = record(1, { ratio: 0.05 });
  assert.equal(find(run, 'no-warmup'), undefined);
  run.config.warmupSteps = 0;
  assert.match(find(run, 'no-warmup')!.what, /step-1 update\/weight ratio of 0.050/);
});

test('missing clipping: gradient-norm spikes with --grad-clip 0, not with clipping on', () => {
  const run = healthy();
  run.steps[179].gradNorm = 6;
  assert.equal(find(run, 'no-clipping'), undefined);
  run.config.gradClip = 0;
  assert.match(find(run, 'no-clipping')!.what, /1 gradient-norm spike\(s\).*at step 180/);
});

test('bad init: the first loss far from ln(V), or activations growing with depth; not for --init weights', () => {
  const loud = healthy();
  loud.steps[0].loss = 9;
  assert.match(find(loud, 'bad-init')!.what, /loss at step 1 is 9.000, far from ln\(100\) = 4.605/);
  assert.equal(find({ ...loud, init: true }, 'bad-init'), undefined);
  const deep = healthy();
  deep.health![0] = record(1, { std: [0.03, 0.1, 0.2, 0.3] });
  assert.match(find(deep, 'bad-init')!.what, /grows 10.000× from the embeddings/);
});

test('dead units: a layer with more than 10% dead at the last measurement', () => {
  const run = healthy();
  run.health![6] = record(300, { dead: 0.3 });
  const f = find(run, 'dead-units')!;
  assert.equal(f.severity, 'warning');
  assert.match(f.what, /30% of h.0's MLP units were dead at step 300/);
});

test('overfitting: validation loss rising while the train loss falls', () => {
  const run = healthy();
  run.evals[4].valLoss = run.evals[3].valLoss + 0.1;
  run.evals[5].valLoss = run.evals[3].valLoss + 0.2;
  assert.match(find(run, 'overfitting')!.what, /validation loss rose from .* \(step 200\)/);
});

test("a log that ends before the run's steps: said as information", () => {
  const run = healthy();
  run.steps = run.steps.slice(0, 200);
  assert.match(find(run, 'ended-early')!.what, /ends at step 200 of 300/);
  assert.ok(ids(run).includes('healthy'));
});
