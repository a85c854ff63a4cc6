// Chapter 15's exercises (attention variants and mixtures of experts): each stub fails as "not
// written yet", each reference solution passes (with its integration step: a tiny sparse GPT on
// the learner's key lists, an ALiBi GPT of 6 heads on the learner's slopes, a linear-attention
// GPT's cached steps against its uncached pass, a 4-expert GPT routed and trained by the learner's
// router), and planted mistakes are named: strided keys from 0, the first c summary cells, a window
// of W + 1; the power-of-two rule for every n, the odd extras, h from 0; the output read from the
// old state, no feature map, relu + 1; a softmax over all E, worst first, ties the wrong way, gates
// without a gradient.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter15 } from '../../src/exercises/catalog/ch15.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import type { AttentionPattern } from '../../src/model/attention-patterns.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { keysOf as solKeys } from '../../exercises/solutions/15-sparse-pattern.js';
import { alibiSlopes as solSlopes } from '../../exercises/solutions/15-alibi-slopes.js';
import { linearAttentionStep as solStep } from '../../exercises/solutions/15-linear-attention-step.js';
import { topKRouting as solRoute } from '../../exercises/solutions/15-moe-routing.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter15.find((e) => e.id === id)!,
    fn as LearnerFn,
  );

for (const [id, name] of [
  ['sparse-pattern', 'keysOf'],
  ['alibi-slopes', 'alibiSlopes'],
  ['linear-attention-step', 'linearAttentionStep'],
  ['moe-routing', 'topKRouting'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/15-${id}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/15-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.filter((c) => c.kind === 'case').length >= 7);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

test('chapter 15: the four exercises sit under the chapter’s section headings', () => {
  assert.deepEqual(
    chapter15.map((e) => e.section),
    ['Sliding windows and sparse patterns', 'ALiBi', 'Linear attention', 'Mixture of experts'],
  );
});

test('sparse-pattern: strided keys counted from 0 instead of i mod W are named', () => {
  const fromZero = (p: AttentionPattern, i: number) => {
    if (p.kind !== 'sparse-strided') return solKeys(p, i);
    const local = Math.max(0, i - p.window + 1);
    const keys: number[] = [];
    for (let j = 0; j < local; j += p.window) keys.push(j);
    for (let j = local; j <= i; j++) keys.push(j);
    return keys;
  };
  const r = check('sparse-pattern', fromZero);
  assert.equal(r.passed, false);
  assert.match(r.message!, /\(i - j\) mod W = 0: start at i mod W/);
});

test("sparse-pattern: an earlier block's first c positions instead of its last are named", () => {
  const firstC = (p: AttentionPattern, i: number) => {
    if (p.kind !== 'sparse-fixed') return solKeys(p, i);
    const own = i - (i % p.window);
    const keys: number[] = [];
    for (let b = 0; b < own; b += p.window) for (let j = b; j < b + p.summary; j++) keys.push(j);
    for (let j = own; j <= i; j++) keys.push(j);
    return keys;
  };
  const r = check('sparse-pattern', firstC);
  assert.equal(r.passed, false);
  assert.match(r.message!, /last c positions/);
});

test('sparse-pattern: a sliding window of W + 1 keys, and unsorted keys, are named', () => {
  const wide = (p: AttentionPattern, i: number) =>
    p.kind === 'sliding' ? solKeys({ ...p, window: p.window + 1 }, i) : solKeys(p, i);
  const r = check('sparse-pattern', wide);
  assert.equal(r.passed, false);
  assert.match(r.message!, /the window holds W keys/);
  const r2 = check('sparse-pattern', (p: AttentionPattern, i: number) => solKeys(p, i).reverse());
  assert.equal(r2.passed, false);
  assert.match(r2.message!, /ascending order/);
});

test('sparse-pattern: a key list that breaks only the model is caught by the integration step', () => {
  // Right on every case, but a strided query of stride 4 past position 15 loses its oldest strided key.
  const late = (p: AttentionPattern, i: number) => {
    const k = solKeys(p, i);
    return p.kind === 'sparse-strided' && p.window === 4 && i >= 16 ? k.slice(1) : k;
  };
  const r = check('sparse-pattern', late);
  assert.equal(r.passed, false);
  assert.ok(
    r.checks.some((c) => c.kind === 'integration' && !c.passed),
    r.message,
  );
});

test('alibi-slopes: the power-of-two rule applied to every n is named', () => {
  const anyN = (n: number) => Array.from({ length: n }, (_, h) => 2 ** ((-8 * (h + 1)) / n));
  const r = check('alibi-slopes', anyN);
  assert.equal(r.passed, false);
  assert.match(r.message!, /not a power of two/);
});

test('alibi-slopes: the odd-numbered extras (2nd, 4th, ...) instead of every other from the first are named', () => {
  const odd = (n: number) => {
    const p = 2 ** Math.floor(Math.log2(n));
    if (p === n) return solSlopes(n);
    const extra = solSlopes(2 * p).filter((_, h) => h % 2 === 1);
    return [...solSlopes(p), ...extra.slice(0, n - p)];
  };
  const r = check('alibi-slopes', odd);
  assert.equal(r.passed, false);
  assert.match(r.message!, /every other slope of 2p's sequence starting with its first/);
});

test('alibi-slopes: h counted from 0 (a first slope of 1) is named', () => {
  const fromZero = (n: number) => solSlopes(n).map((m) => m * 2 ** (8 / n));
  const pow2Only = (n: number) => (Number.isInteger(Math.log2(n)) ? fromZero(n) : solSlopes(n));
  const r = check('alibi-slopes', pow2Only);
  assert.equal(r.passed, false);
  assert.match(r.message!, /h runs from 1 to n/);
});

type Step = (q: Tensor, k: Tensor, v: Tensor, S: Tensor, z: Tensor) => { out: Tensor; S: Tensor; z: Tensor };
const elu1 = (x: Tensor) => x.relu().add(x.minimum(0).exp());

test('linear-attention-step: the output read from the old state is named', () => {
  const old: Step = (q, k, v, S, z) => {
    const r = solStep(q, k, v, S, z);
    const fq = elu1(q);
    return { ...r, out: fq.matmul(S).div(fq.mul(z).sum(-1, true)) };
  };
  const r = check('linear-attention-step', old);
  assert.equal(r.passed, false);
  assert.match(r.message!, /old state/);
});

test('linear-attention-step: no feature map, and relu + 1 for it, are named', () => {
  const raw: Step = (q, k, v, S, z) => {
    const S2 = S.add(k.transpose(-2, -1).matmul(v));
    const z2 = z.add(k);
    return { out: q.matmul(S2).div(q.mul(z2).sum(-1, true)), S: S2, z: z2 };
  };
  const r = check('linear-attention-step', raw);
  assert.equal(r.passed, false);
  assert.match(r.message!, /apply the feature map/);
  const relu1: Step = (q, k, v, S, z) => {
    const [fq, fk] = [q.relu().add(1), k.relu().add(1)];
    const S2 = S.add(fk.transpose(-2, -1).matmul(v));
    const z2 = z.add(fk);
    return { out: fq.matmul(S2).div(fq.mul(z2).sum(-1, true)), S: S2, z: z2 };
  };
  const r2 = check('linear-attention-step', relu1);
  assert.equal(r2.passed, false);
  assert.match(r2.message!, /exp\(x\) for x <= 0/);
});

test('linear-attention-step: a state updated in place is named', () => {
  const inPlace: Step = (q, k, v, S, z) => {
    const r = solStep(q, k, v, S, z);
    S.data.set(r.S.data);
    z.data.set(r.z.data);
    return r;
  };
  const r = check('linear-attention-step', inPlace);
  assert.equal(r.passed, false);
  assert.match(r.message!, /in place/);
});

type Route = (logits: Tensor, k: number) => { experts: Int32Array; gates: Tensor };

test('moe-routing: gates from a softmax over all E experts are named', () => {
  const overAll: Route = (logits, k) => {
    const { experts } = solRoute(logits, k);
    const E = logits.shape[1]!;
    const p = logits.softmax(-1);
    const g = Array.from(experts, (e, a) => p.data[Math.floor(a / k) * E + e]!);
    return { experts, gates: new Tensor(new Float32Array(g), [experts.length / k, k]) };
  };
  const r = check('moe-routing', overAll);
  assert.equal(r.passed, false);
  assert.match(r.message!, /softmax over the k chosen logits only/);
});

test('moe-routing: worst-first order and ties to the higher index are named', () => {
  const reversed: Route = (logits, k) => {
    const { experts, gates } = solRoute(logits, k);
    const N = experts.length / k;
    const e2 = new Int32Array(experts.length);
    for (let n = 0; n < N; n++) e2.set(experts.slice(n * k, n * k + k).reverse(), n * k);
    return { experts: e2, gates };
  };
  const r = check('moe-routing', reversed);
  assert.equal(r.passed, false);
  assert.match(r.message!, /best first/);
  const higherOnTie: Route = (logits, k) => {
    const [N, E] = logits.shape as [number, number];
    const experts = new Int32Array(N * k);
    for (let n = 0; n < N; n++) {
      const row = logits.data.subarray(n * E, (n + 1) * E);
      const order = Array.from({ length: E }, (_, e) => e).sort((a, b) => row[b]! - row[a]! || b - a);
      experts.set(order.slice(0, k), n * k);
    }
    return { experts, gates: solRoute(logits, k).gates };
  };
  const r2 = check('moe-routing', higherOnTie);
  assert.equal(r2.passed, false);
  assert.match(r2.message!, /on a tie/);
});

test('moe-routing: gates with the right values but no gradient fail the gradient check', () => {
  const detached: Route = (logits, k) => {
    const { experts, gates } = solRoute(logits, k);
    return { experts, gates: new Tensor(gates.data.slice(), gates.shape) };
  };
  const r = check('moe-routing', detached);
  assert.equal(r.passed, false);
  assert.ok(r.checks.filter((c) => c.kind === 'case').every((c) => c.passed));
  assert.match(r.message!, /no gradient, so the router never learns/);
});

test('linear-attention-step: a step wrong only at the model’s shape fails the cached-generation check', () => {
  // The tiny GPT's steps are (2, 2, 1, 8); no case has that shape.
  const atModelShape: Step = (q, k, v, S, z) => {
    const r = solStep(q, k, v, S, z);
    const [B, nh, , hs] = q.shape;
    return B === 2 && nh === 2 && hs === 8 ? { ...r, out: r.out.mul(1.01) } : r;
  };
  const r = check('linear-attention-step', atModelShape);
  assert.equal(r.passed, false);
  assert.ok(r.checks.filter((c) => c.kind === 'case').every((c) => c.passed));
  assert.match(r.message!, /cached steps give logits/);
});

test('moe-routing: a router wrong only for the model’s 4 experts fails the integration step', () => {
  const atModelShape: Route = (logits, k) => {
    const r = solRoute(logits, k);
    return logits.shape[1] === 4 && logits.shape[0] > 5 ? { ...r, gates: r.gates.mul(0.5) } : r;
  };
  const r = check('moe-routing', atModelShape);
  assert.equal(r.passed, false);
  assert.ok(r.checks.filter((c) => c.kind === 'case').every((c) => c.passed));
  assert.ok(
    r.checks.some((c) => c.kind === 'integration' && !c.passed),
    r.message,
  );
});
