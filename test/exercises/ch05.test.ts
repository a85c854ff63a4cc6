// Chapter 5 exercises: each stub fails as "not written yet", each reference solution passes, and
// planted mistakes (eps outside the root, the unbiased variance, a backward without the mean
// terms, the erf GELU, a post-norm block) are rejected with a message that names them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/index.js';
import { runExercise } from '../../src/exercises/run.js';
import { findExercise } from '../../src/exercises/catalog.js';
import type { LearnerFn } from '../../src/exercises/spec.js';

const check = (id: string, fn: unknown) => {
  const s = findExercise(id);
  assert.ok(s, `exercise ${id} is in the catalog`);
  return runExercise(s, fn as LearnerFn);
};

const EXERCISES: [id: string, exportName: string][] = [
  ['layer-norm', 'layerNorm'],
  ['layer-norm-backward', 'layerNormBackward'],
  ['rms-norm', 'rmsNorm'],
  ['gelu', 'gelu'],
  ['pre-norm-block', 'preNormBlock'],
];

for (const [id, name] of EXERCISES) {
  test(`${id}: the stub is reported as not written yet`, async () => {
    const stub = (await import(`../../exercises/stubs/05-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, stub[name]);
    assert.equal(r.passed, false);
    assert.match(r.message!, /not written .* yet/);
  });

  test(`${id}: the reference solution passes every check`, async () => {
    const sol = (await import(`../../exercises/solutions/05-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.ok(r.passed, JSON.stringify(r.checks, null, 1));
    assert.ok(r.checks.some((c) => c.kind === 'integration'));
  });
}

type Opt = Tensor | null;
const layerNormWith =
  (variance: (xc: Tensor) => Tensor, denom: (v: Tensor, eps: number) => Tensor) =>
  (x: Tensor, w: Opt, b: Opt, eps: number) => {
    const xc = x.sub(x.mean(-1, true));
    let y = xc.div(denom(variance(xc), eps));
    if (w) y = y.mul(w);
    if (b) y = y.add(b);
    return y;
  };
const biased = (xc: Tensor) => xc.mul(xc).mean(-1, true);

test('layer-norm: eps outside the square root is rejected with a message saying so', () => {
  const r = check(
    'layer-norm',
    layerNormWith(biased, (v, eps) => v.sqrt().add(eps)),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /eps is outside the square root/);
});

test('layer-norm: the unbiased variance (torch.var default) is rejected with a message saying so', () => {
  const unbiased = (xc: Tensor) =>
    xc
      .mul(xc)
      .sum(-1, true)
      .div(xc.shape[xc.ndim - 1]! - 1);
  const r = check(
    'layer-norm',
    layerNormWith(unbiased, (v, eps) => v.add(eps).sqrt()),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /unbiased variance/);
});

test('layer-norm: a layer norm written with loops over rows agrees on every case', () => {
  const r = check('layer-norm', (x: Tensor, w: Opt, b: Opt, eps: number) => {
    const C = x.shape[x.ndim - 1]!;
    const y = new Float32Array(x.size);
    for (let r0 = 0; r0 < x.size; r0 += C) {
      let m = 0;
      for (let c = 0; c < C; c++) m += x.data[r0 + c]!;
      m /= C;
      let v = 0;
      for (let c = 0; c < C; c++) v += (x.data[r0 + c]! - m) ** 2;
      const rstd = 1 / Math.sqrt(v / C + eps);
      for (let c = 0; c < C; c++)
        y[r0 + c] = (x.data[r0 + c]! - m) * rstd * (w ? w.data[c]! : 1) + (b ? b.data[c]! : 0);
    }
    return new Tensor(y, x.shape);
  });
  // Every case agrees; training needs gradients, which loops over .data do not give, and the
  // checker says so in words.
  assert.ok(
    r.checks.filter((c) => c.kind === 'case').every((c) => c.passed),
    r.message,
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /right values but carries no gradient.*loops over \.data/);
});

test('layer-norm-backward: dx = grad · w · rstd (no mean terms) is rejected with a message saying so', () => {
  const r = check('layer-norm-backward', (x: Tensor, w: Opt, mean: Tensor, rstd: Tensor, g: Tensor) => {
    const C = x.shape[x.ndim - 1]!;
    const xhat = x.sub(mean).mul(rstd);
    const dx = (w ? g.mul(w) : g).mul(rstd);
    return [dx, w ? g.mul(xhat).reshape(-1, C).sum(0) : null, g.reshape(-1, C).sum(0)];
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /mean and the variance/);
});

test('layer-norm-backward: a backward written with loops passes, including the finite-difference check', () => {
  const r = check('layer-norm-backward', (x: Tensor, w: Opt, mean: Tensor, rstd: Tensor, g: Tensor) => {
    const C = x.shape[x.ndim - 1]!;
    const rows = x.size / C;
    const dx = new Float64Array(x.size);
    const dw = new Float64Array(C);
    const db = new Float64Array(C);
    for (let r0 = 0; r0 < rows; r0++) {
      const o = r0 * C;
      const [m, s] = [mean.data[r0]!, rstd.data[r0]!];
      let a = 0;
      let bb = 0;
      for (let c = 0; c < C; c++) {
        const xh = (x.data[o + c]! - m) * s;
        const d = g.data[o + c]! * (w ? w.data[c]! : 1);
        a += d;
        bb += d * xh;
        dw[c] += g.data[o + c]! * xh;
        db[c] += g.data[o + c]!;
      }
      for (let c = 0; c < C; c++) {
        const xh = (x.data[o + c]! - m) * s;
        dx[o + c] = s * (g.data[o + c]! * (w ? w.data[c]! : 1) - a / C - (xh * bb) / C);
      }
    }
    return [new Tensor(dx, x.shape), w ? new Tensor(dw, [C]) : null, new Tensor(db, [C])];
  });
  assert.ok(r.passed, JSON.stringify(r.checks, null, 1));
});

test('rms-norm: dividing by the root of the sum (not the mean) of squares is rejected', () => {
  const r = check('rms-norm', (x: Tensor, w: Opt, eps: number) => {
    const y = x.mul(x.mul(x).sum(-1, true).add(eps).rsqrt());
    return w ? y.mul(w) : y;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /SUM of squares/);
});

test('rms-norm: eps outside the square root is rejected with a message saying so', () => {
  const r = check('rms-norm', (x: Tensor, w: Opt, eps: number) => {
    const y = x.div(x.mul(x).mean(-1, true).sqrt().add(eps));
    return w ? y.mul(w) : y;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /eps is outside the square root/);
});

test('gelu: the exact erf GELU is rejected as not the tanh approximation', () => {
  const r = check('gelu', (x: Tensor) => x.gelu('none'));
  assert.equal(r.passed, false);
  assert.match(r.message!, /exact GELU.*tanh approximation/);
});

test('gelu: tanh written with exp overflows on large inputs and is rejected as NaN', () => {
  const r = check('gelu', (x: Tensor) => {
    const u = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    const e = u.mul(2).exp();
    const tanh = e.sub(1).div(e.add(1)); // Infinity / Infinity = NaN for large u
    return x.mul(tanh.add(1)).mul(0.5);
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /NaN|overflow/);
  assert.match(r.message!, /large inputs/);
});

type Fn = (h: Tensor) => Tensor;

test('pre-norm-block: a post-norm block is rejected with a message naming it', () => {
  const r = check('pre-norm-block', (x: Tensor, ln1: Fn, attn: Fn, ln2: Fn, mlp: Fn) => {
    const h = ln1(x.add(attn(x)));
    return ln2(h.add(mlp(h)));
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /post-norm/);
});

test('pre-norm-block: a parallel block (both branches from the same x) is rejected', () => {
  const r = check('pre-norm-block', (x: Tensor, ln1: Fn, attn: Fn, ln2: Fn, mlp: Fn) =>
    x.add(attn(ln1(x))).add(mlp(ln2(x))),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /parallel block/);
});
