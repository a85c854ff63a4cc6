// Chapter 12's exercises (alignment): each stub fails as "not written yet", each reference solution
// passes (with its gradient check and integration step), solutions written differently pass, and
// planted mistakes are rejected with a message naming them: a forgotten mask, probabilities instead
// of log-probabilities, an unstable log(softmax) or log(σ) at large values, β on one side, a sum
// instead of the mean, chosen and rejected swapped, the population std, a missing 1e-4, NaN for G = 1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter12 } from '../../src/exercises/catalog/ch12.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { withImplementations } from '../../src/exercises/registry.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter12.find((e) => e.id === id)!,
    fn as LearnerFn,
  );

for (const [id, name] of [
  ['token-logprobs', 'tokenLogProbs'],
  ['dpo-loss', 'dpoLoss'],
  ['bradley-terry-loss', 'bradleyTerryLoss'],
  ['group-advantages', 'groupAdvantages'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/12-${id}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/12-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.filter((c) => c.kind === 'case').length >= 5);
    if (id !== 'group-advantages')
      assert.ok(r.checks.some((c) => c.kind === 'gradcheck' && c.name.startsWith('finite') && c.passed));
    if (id === 'token-logprobs' || id === 'dpo-loss')
      assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

// token-logprobs

const pick = (lp: Tensor, y: Tensor) => {
  const [B, T] = y.shape as [number, number];
  return lp.gather(2, y.reshape(B, T, 1)).reshape(B, T);
};

test('token-logprobs: the library one-liner (logSoftmax, gather, mask) passes', () => {
  const r = check('token-logprobs', (x: Tensor, y: Tensor, m: Tensor) => pick(x.logSoftmax(-1), y).mul(m));
  assert.equal(r.passed, true, r.message);
});

test('token-logprobs: a forgotten mask is named', () => {
  const r = check('token-logprobs', (x: Tensor, y: Tensor) => pick(x.logSoftmax(-1), y));
  assert.equal(r.passed, false);
  assert.match(r.message!, /the mask is not applied/);
});

test('token-logprobs: probabilities (softmax) instead of log-probabilities are named', () => {
  const r = check('token-logprobs', (x: Tensor, y: Tensor, m: Tensor) => pick(x.softmax(-1), y).mul(m));
  assert.match(r.message!, /probabilities \(softmax\), not log-probabilities/);
});

test('token-logprobs: log(softmax(x)) fails only at ±1e3 logits, named as an underflow', () => {
  const r = check('token-logprobs', (x: Tensor, y: Tensor, m: Tensor) => pick(x.softmax(-1).log(), y).mul(m));
  assert.equal(r.passed, false);
  const failed = r.checks.filter((c) => !c.passed);
  assert.deepEqual(
    failed.map((c) => c.name.split(' ')[0]),
    ['large'],
  );
  assert.match(failed[0]!.message!, /infinite or NaN log-probability.*x - max - log Σ exp\(x - max\)/);
});

test('token-logprobs: values copied out of .data (no gradient) are rejected', () => {
  const r = check('token-logprobs', (x: Tensor, y: Tensor, m: Tensor) => {
    const t = pick(x.logSoftmax(-1), y).mul(m);
    return new Tensor(t.data.slice(), t.shape);
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /carries no gradient/);
});

// dpo-loss

const dpoWith =
  (o: { betaChosenOnly?: boolean; sum?: boolean; swap?: boolean; naive?: boolean }) =>
  (pc: Tensor, pr: Tensor, rc: Tensor, rr: Tensor, beta: number) => {
    const c = pc.sub(rc);
    const r = pr.sub(rr);
    let z = o.betaChosenOnly ? c.mul(beta).sub(r) : c.sub(r).mul(beta);
    if (o.swap) z = z.neg();
    const ls = o.naive ? z.sigmoid().log() : z.logSigmoid();
    return (o.sum ? ls.sum() : ls.mean()).neg();
  };

test('dpo-loss: a solution with logSigmoid passes', () => {
  assert.equal(check('dpo-loss', dpoWith({})).passed, true);
});

test('dpo-loss: β on the chosen side only is named', () => {
  const r = check('dpo-loss', dpoWith({ betaChosenOnly: true }));
  assert.equal(r.passed, false);
  assert.match(r.message!, /β multiplies only one side/);
});

test('dpo-loss: a sum over the batch instead of the mean is named', () => {
  assert.match(check('dpo-loss', dpoWith({ sum: true })).message!, /the sum over the 4 pairs/);
});

test('dpo-loss: chosen and rejected swapped is named', () => {
  const r = check('dpo-loss', dpoWith({ swap: true }));
  assert.match(r.message!, /chosen and rejected are swapped/);
});

test('dpo-loss: log(sigmoid(z)) fails only at the large margins, named as an underflow', () => {
  const r = check('dpo-loss', dpoWith({ naive: true }));
  const failed = r.checks.filter((c) => !c.passed);
  assert.deepEqual(
    failed.map((c) => c.name.split(' ')[0]),
    ['large'],
  );
  assert.match(failed[0]!.message!, /log σ\(z\) underflows.*min\(z, 0\) - log\(1 \+ e\^\{-\|z\|\}\)/);
});

test('dpo-loss: Math.log(1 / (1 + Math.exp(-z))) in float64 is caught at z = -1000', () => {
  const r = check('dpo-loss', (pc: Tensor, pr: Tensor, rc: Tensor, rr: Tensor, beta: number) => {
    const z = Array.from(pc.data, (v, i) => beta * (v - rc.data[i]! - (pr.data[i]! - rr.data[i]!)));
    const l = -z.reduce((a, v) => a + Math.log(1 / (1 + Math.exp(-v))), 0) / z.length;
    return new Tensor(Float32Array.from([l]), []);
  });
  const big = r.checks.find((c) => c.name.startsWith('large'))!;
  assert.equal(big.passed, false);
  assert.match(big.message!, /log σ\(z\) underflows/);
});

// bradley-terry-loss

test('bradley-terry-loss: swapped sides, a sum, and log(sigmoid) are named', () => {
  const swapped = check('bradley-terry-loss', (c: Tensor, r: Tensor) => r.sub(c).logSigmoid().mean().neg());
  assert.match(swapped.message!, /chosen and rejected are swapped/);
  const sum = check('bradley-terry-loss', (c: Tensor, r: Tensor) => c.sub(r).logSigmoid().sum().neg());
  assert.match(sum.message!, /the sum over the 6 pairs/);
  const naive = check('bradley-terry-loss', (c: Tensor, r: Tensor) => c.sub(r).sigmoid().log().mean().neg());
  assert.match(naive.message!, /^large margins .*log σ\(z\) underflows/);
  const plus = check('bradley-terry-loss', (c: Tensor, r: Tensor) => r.sub(c).exp().add(1).log().mean());
  assert.match(plus.message!, /^large margins/, 'log(1 + e^{r_r - r_c}) overflows at 1000 too');
});

// group-advantages

const adv =
  (o: { population?: boolean; noEps?: boolean; noStd?: boolean; noGuard?: boolean }) =>
  (r: readonly number[]) => {
    const G = r.length;
    if (G < 2 && !o.noGuard) return r.map(() => 0);
    const m = r.reduce((a, v) => a + v, 0) / G;
    const s = Math.sqrt(r.reduce((a, v) => a + (v - m) ** 2, 0) / (o.population ? G : G - 1));
    return r.map((v) => (o.noStd ? v - m : s === 0 && !o.noGuard ? 0 : (v - m) / (s + (o.noEps ? 0 : 1e-4))));
  };

test('group-advantages: the library form passes; the population std is named', () => {
  assert.equal(check('group-advantages', adv({})).passed, true);
  const r = check('group-advantages', adv({ population: true }));
  assert.equal(r.passed, false);
  assert.match(r.message!, /population std \(÷ G\): use the sample std/);
});

test('group-advantages: a missing 1e-4 is named (and fails the small spread by 10%)', () => {
  const r = check('group-advantages', adv({ noEps: true }));
  assert.match(r.message!, /the 1e-4 is missing: divide by std \+ 1e-4/);
  const small = r.checks.find((c) => c.name.startsWith('small spread'))!;
  assert.equal(small.passed, false);
  assert.match(small.message!, /the 1e-4 is missing/);
});

test('group-advantages: G = 1 without a guard gives NaN, named as 0 / 0', () => {
  const r = check('group-advantages', adv({ noGuard: true }));
  assert.match(r.message!, /^one response .*std is 0 \(0 \/ 0\)/);
});

test('group-advantages: only centring (Dr. GRPO, nanochat) is named here', () => {
  assert.match(
    check('group-advantages', adv({ noStd: true })).message!,
    /centred but not divided by the std/,
  );
});

test('group-advantages: changing the rewards in place is named', () => {
  const r = check('group-advantages', (r: number[]) => {
    const a = adv({})(r);
    r.fill(0);
    return a;
  });
  assert.match(r.message!, /changed its argument 1 in place/);
});

test('bradley-terry-loss: the stable form built with minimum and abs fails the gradient at z = 0', () => {
  // Right values everywhere, but autograd's minimum (gradient to z on ties) and abs (sign 0 = 0) give
  // 1 at z = 0 instead of σ(0) = ½.
  const r = check('bradley-terry-loss', (c: Tensor, rr: Tensor) => {
    const z = c.sub(rr);
    return z.minimum(0).sub(z.abs().neg().exp().add(1).log()).mean().neg();
  });
  assert.equal(r.passed, false);
  const g = r.checks.find((x) => x.kind === 'gradcheck' && !x.passed)!;
  assert.match(g.name, /and exactly 0/);
  assert.ok(r.checks.filter((x) => x.kind === 'case').every((x) => x.passed));
});

test('the integration steps fail with a wrong function inside: swapped DPO sides, a forgotten mask', () => {
  const step = (id: string) =>
    chapter12.find((e) => e.id === id)!.extra!.find((x) => x.kind === 'integration')!;
  const dpo = withImplementations({ dpoLoss: dpoWith({ swap: true }) }, () => step('dpo-loss').run());
  assert.equal(dpo.passed, false);
  assert.match(dpo.message, /log-ratio went 0 -> -.*chosen and rejected swapped\?/);
  const noMask = (x: Tensor, y: Tensor) => pick(x.logSoftmax(-1), y);
  const lp = withImplementations({ tokenLogProbs: noMask }, () => step('token-logprobs').run());
  assert.equal(lp.passed, false);
  assert.match(lp.message, /row 0: Σ log p\(response\) is .* but -\(cross-entropy\) × 3 tokens/);
});
