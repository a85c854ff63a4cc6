// DPO against PyTorch (scripts/make-dpo-fixture.py): the reference is the tiny HF GPT-2 fixture, the
// policy the same weights perturbed (test/fixtures/dpo/policy); four preference pairs of raw token
// ids with different prompt and response lengths. PyTorch scored each sequence alone (float64, no
// padding); ours scores them as one right-padded batch of 2B rows (pairBatch) in float32. Checked:
// summed and mean log-probabilities, referenceLogProbs, the DPO loss (β 0.1 and 0.5, and label
// smoothing 0.1) and its statistics, and the loss's gradient with respect to every policy
// parameter, each tensor to a norm-relative error ||ours - torch|| / ||torch|| (in full for β 0.1;
// for the other two settings, the norm and every 16th element, all of a tensor of <= 1024): 1e-5
// at β 0.1, 2e-5 at β 0.5 (see GRAD_TOL). Then: one AdamW step on the
// DPO loss raises the batch's chosen-minus-rejected log-ratio, and logSigmoid is finite-difference
// checked at large |x| and near 0 and matches torch.nn.functional.logsigmoid.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { hfTensorLayout, transposeInto } from '../../src/io/hf-gpt2.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { gradcheck } from '../../src/tensor/gradcheck.js';
import { AdamW } from '../../src/train/adamw.js';
import type { GPT } from '../../src/model/gpt.js';
import { encodeResponse, pairBatch, type EncodedPair } from '../../src/train/align/pairs.js';
import { sequenceLogProbs } from '../../src/train/align/logprobs.js';
import { constant, dpo, type DpoStats } from '../../src/train/align/dpo.js';
import { dpoBatches, dpoLossFn, referenceLogProbs } from '../../src/train/align/dpo-train.js';
import { ROOT, TINY } from './helpers.js';

const DPO = join(ROOT, 'test', 'fixtures', 'dpo');
const POLICY = join(DPO, 'policy');
const TOL = 1e-5;
/**
 * The gradient is -(β/B) Σ_i w_i ∇(log π(y_c,i) - log π(y_r,i)) with pair weights w_i = σ(-z_i)
 * (smoothed: (1-ε) σ(-z_i) - ε σ(z_i)), and z_i = β · (a difference of sums of up to -190).
 * float32 gets those sums to ~1e-7 relative, i.e. ~2e-5 absolute; at β 0.5 that error in z alone,
 * put into an exact float64 gradient, moves it by up to 1.0e-5 norm-relative (ln_f.weight;
 * measured with the sums this code computes), so β 0.5 is held to 2e-5; β 0.1 to 1e-5.
 */
const GRAD_TOL = (beta: number): number => (beta <= 0.1 ? 1e-5 : 2e-5);

interface Setting {
  beta: number;
  labelSmoothing: number;
  loss: number;
  chosenReward: number;
  rejectedReward: number;
  rewardMargin: number;
  preferenceAccuracy: number;
  /** ||∂L/∂p|| of every parameter (HF names). */
  gradNorms: Record<string, number>;
  /** ∂L/∂p in HF layout, sampled (see `gradSample`); empty for the first setting (see fullGrads). */
  gradSamples: Record<string, number[]>;
}
interface DpoGolden {
  eos: number;
  pairs: { prompt: number[]; chosen: number[]; rejected: number[] }[];
  counts: number[];
  policy: { sum: number[]; mean: number[] };
  reference: { sum: number[]; mean: number[] };
  /** Every `stride`-th element of a gradient, or all of it if it has at most `fullUpTo`. */
  gradSample: { stride: number; fullUpTo: number };
  settings: Setting[];
  logSigmoid: { x: number[]; y: number[]; grad: number[] };
}
const golden = JSON.parse(readFileSync(join(DPO, 'golden.json'), 'utf8')) as DpoGolden;
/** ∂L/∂p of the first setting (β 0.1, no smoothing), every element, HF names and layout. */
const fullGrads = readSafetensorsFile(join(DPO, 'grads.safetensors')).tensors;

const B = golden.pairs.length;
const MAX_LEN = 49; // the context (48) + 1
const pairs: EncodedPair[] = golden.pairs.map((p) => ({
  chosen: encodeResponse(p.prompt, p.chosen, golden.eos, MAX_LEN),
  rejected: encodeResponse(p.prompt, p.rejected, golden.eos, MAX_LEN),
}));

function load(dir: string): GPT {
  const { model } = loadPretrained(dir);
  return model.eval(); // dropout off, as the reference
}

/** Largest |a - b| / |b| over the elements. */
function maxRel(a: ArrayLike<number>, b: readonly number[]): number {
  assert.equal(a.length, b.length);
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return e;
}

/** ||a - b|| / max(||b||, tiny): the error relative to the tensor's size. */
function normRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-30);
}

/** Our gradient of `name` in HF's layout (a Conv1D weight is (in, out); our Linear is (out, in)). */
function hfGrad(model: GPT, name: string): Float32Array {
  const g = new Map(model.namedParameters()).get(name)!.grad!.data as Float32Array;
  const layout = hfTensorLayout(model.config).get(name)!;
  if (!layout.conv1d) return g;
  const [inF, outF] = layout.shape;
  const out = new Float32Array(g.length);
  transposeInto(g, outF, inF, out); // ours (out, in) -> HF (in, out)
  return out;
}

test('DPO vs PyTorch: summed and mean log-probabilities of the padded 2B-row batch (1e-5 relative)', (t) => {
  const batch = pairBatch(pairs, golden.eos);
  assert.deepEqual(batch.x.shape, [2 * B, 47]); // the longest pair: 25 + 22 + eos = 48 ids
  for (const [dir, want] of [
    [POLICY, golden.policy],
    [TINY, golden.reference],
  ] as const) {
    const lp = noGrad(() => sequenceLogProbs(load(dir), batch));
    assert.deepEqual(lp.counts, golden.counts);
    const eSum = maxRel(lp.sum.data, want.sum);
    const eMean = maxRel(lp.mean.data, want.mean);
    t.diagnostic(
      `${dir === POLICY ? 'policy' : 'reference'}: sum ${eSum.toExponential(2)}, ` +
        `mean ${eMean.toExponential(2)}`,
    );
    assert.ok(eSum <= TOL, `summed log-probs: relative error ${eSum}`);
    assert.ok(eMean <= TOL, `mean log-probs: relative error ${eMean}`);
  }
});

test('DPO vs PyTorch: referenceLogProbs gives the reference sums in any chunking, keeps the mode', () => {
  const model = load(TINY).train();
  for (const batchSize of [1, 3, 4]) {
    const ref = referenceLogProbs(model, pairs, batchSize, golden.eos);
    assert.ok(model.training, 'referenceLogProbs leaves the model in train mode as it found it');
    const e = maxRel([...ref.chosen, ...ref.rejected], golden.reference.sum);
    assert.ok(e <= TOL, `batch size ${batchSize}: relative error ${e}`);
  }
});

/** Our loss and statistics (through dpoLossFn, as training computes them) with backward done. */
function ourDpo(s: Setting): { model: GPT; loss: number; stats: DpoStats } {
  const model = load(POLICY);
  const ref = referenceLogProbs(load(TINY), pairs, B, golden.eos);
  const [batch] = dpoBatches(pairs, ref, B, golden.eos);
  let stats: DpoStats | null = null;
  const loss = dpoLossFn(s.beta, s.labelSmoothing, (x) => (stats = x))(model, batch);
  loss.backward();
  return { model, loss: loss.item(), stats: stats! };
}

for (const [k, s] of golden.settings.entries()) {
  const what = `β ${s.beta}, label smoothing ${s.labelSmoothing}`;
  test(`DPO vs PyTorch (${what}): loss, rewards, margin, accuracy and every parameter's gradient`, (t) => {
    const { model, loss, stats } = ourDpo(s);
    const eLoss = Math.abs(loss - s.loss) / s.loss;
    assert.ok(eLoss <= TOL, `loss ${loss} vs ${s.loss}`);
    assert.equal(stats.loss, loss);
    assert.equal(stats.pairs, B);
    assert.equal(stats.preferenceAccuracy, s.preferenceAccuracy);
    // A reward is β times a difference of two sums of ~-100: float32 leaves ~1e-5 of those sums, so
    // the rewards are held to 1e-5 of β · the largest |sum|, not of their own (small) size.
    const scale = s.beta * Math.max(...golden.reference.sum.map(Math.abs));
    const keys = ['chosenReward', 'rejectedReward', 'rewardMargin'] as const;
    const eStats = Math.max(...keys.map((q) => Math.abs(stats[q] - s[q]) / scale));
    assert.ok(eStats <= TOL, `rewards: error ${eStats} of β · max |log π|`);
    let worst = 0;
    let worstName = '';
    const names = model.namedParameters().map(([n]) => n);
    assert.deepEqual([...names].sort(), Object.keys(s.gradNorms).sort());
    for (const name of names) {
      const g = hfGrad(model, name);
      let e: number;
      if (k === 0) {
        e = normRel(g, fullGrads[name].data);
      } else {
        const { stride: every, fullUpTo } = golden.gradSample;
        const stride = g.length <= fullUpTo ? 1 : every;
        const sampled = Float64Array.from({ length: Math.ceil(g.length / stride) }, (_, i) => g[i * stride]);
        const norm = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
        e = Math.max(
          normRel(sampled, s.gradSamples[name]),
          Math.abs(norm - s.gradNorms[name]) / s.gradNorms[name],
        );
      }
      if (e > worst) [worst, worstName] = [e, name];
      assert.ok(e <= GRAD_TOL(s.beta), `${name}: gradient norm-relative error ${e}`);
    }
    t.diagnostic(
      `loss ${eLoss.toExponential(2)}, rewards ${eStats.toExponential(2)}, worst gradient ` +
        `${worst.toExponential(2)} (${worstName})`,
    );
  });
}

test('DPO: one AdamW step (lr 1e-2) on the loss raises the chosen-minus-rejected log-ratio', (t) => {
  const model = load(POLICY);
  const ref = referenceLogProbs(load(TINY), pairs, B, golden.eos);
  const [batch] = dpoBatches(pairs, ref, B, golden.eos);
  /** Mean over the pairs of (π_c - ref_c) - (π_r - ref_r), and the loss, without a graph. */
  const measure = () =>
    noGrad(() => {
      const s = sequenceLogProbs(model, batch).sum;
      const d = dpo(s.narrow(0, 0, B), s.narrow(0, B, B), constant(ref.chosen), constant(ref.rejected), 0.1);
      return { ratio: d.stats.rewardMargin / 0.1, loss: d.stats.loss };
    });
  const before = measure();
  const opt = new AdamW(model.parameters(), { lr: 1e-2 });
  opt.zeroGrad();
  dpoLossFn(0.1)(model, batch).backward();
  opt.step();
  const after = measure();
  t.diagnostic(
    `log-ratio ${before.ratio.toFixed(4)} -> ${after.ratio.toFixed(4)}, ` +
      `loss ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)}`,
  );
  assert.ok(Math.abs(before.ratio - golden.settings[0].rewardMargin / 0.1) < 1e-3);
  assert.ok(after.ratio > before.ratio, `log-ratio ${before.ratio} -> ${after.ratio}`);
  assert.ok(after.loss < before.loss, `loss ${before.loss} -> ${after.loss}`);
});

test('logSigmoid: finite differences at large |x| and near 0, and torch.nn.functional.logsigmoid', (t) => {
  const { x, y, grad } = golden.logSigmoid;
  /** |a - b| <= rtol |b|: relative, and exact where torch gives 0. */
  const near = (a: number, b: number, rtol: number) => Math.abs(a - b) <= rtol * Math.abs(b);
  // float64, as torch computed them: values and derivatives σ(-x) to a few ulps
  const x64 = new Tensor(Float64Array.from(x), [x.length], true);
  const y64 = x64.logSigmoid();
  y64.sum().backward();
  x.forEach((v, i) => {
    assert.ok(near(y64.data[i], y[i], 1e-15), `logσ(${v}) = ${y64.data[i]}, torch ${y[i]}`);
    assert.ok(near(x64.grad!.data[i], grad[i], 4e-15), `σ(${-v}) = ${x64.grad!.data[i]}, torch ${grad[i]}`);
  });
  // float32: finite at ±1e3 (no exp overflow), values to float32's rounding
  const y32 = new Tensor(Float32Array.from(x), [x.length]).logSigmoid().data;
  x.forEach((v, i) => assert.ok(near(y32[i], y[i], 1e-7), `float32 logσ(${v}) = ${y32[i]}, torch ${y[i]}`));
  for (const at of [
    [-1e3, 1e3],
    [-30, 30],
    [-1e-4, 0, 1e-4],
  ]) {
    const r = gradcheck((z) => z.logSigmoid(), [new Tensor(Float64Array.from(at), [at.length], true)]);
    t.diagnostic(`gradcheck at ${at.join(', ')}: max error ${r.maxError.toExponential(2)}`);
    assert.ok(r.ok, `gradcheck at ${at}: ${r.where}`);
  }
});
