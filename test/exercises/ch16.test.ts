// Chapter 16's exercises (from GPT-2 to Llama and Qwen): each stub fails as "not written yet",
// each reference solution passes (with its integration step: a SwiGLU GPT and a grouped-query GPT
// trained on the learner's function, rotate_half scores on the learner's permuted weights against
// Meta's interleaved RoPE, a Llama-3-scaled GPT on the learner's frequencies), and planted mistakes
// are named: GLU's sigmoid gate, the SiLU on the wrong projection; tiled kv heads; the permutation
// the wrong way, across heads; Llama 3's blend reversed, the factor multiplied.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter16 } from '../../src/exercises/catalog/ch16.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { RopeScaling } from '../../src/model/config.js';
import { permuteForRotateHalf as solPermute } from '../../exercises/solutions/16-rope-permute.js';
import { ropeFrequencies as solFreqs } from '../../exercises/solutions/16-llama3-rope-scaling.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter16.find((e) => e.id === id)!,
    fn as LearnerFn,
  );

for (const [id, name] of [
  ['swiglu', 'swiglu'],
  ['repeat-kv', 'repeatKv'],
  ['rope-permute', 'permuteForRotateHalf'],
  ['llama3-rope-scaling', 'ropeFrequencies'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/16-${id}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/16-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.filter((c) => c.kind === 'case').length >= 6);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

test('chapter 16: the four exercises sit under the chapter’s section headings', () => {
  assert.deepEqual(
    chapter16.map((e) => e.section),
    [
      'The MLP: GELU to SwiGLU',
      'Attention: grouped-query heads',
      'Two ways to pair the channels',
      'Longer contexts',
    ],
  );
});

test('swiglu: a sigmoid gate (GLU) and the SiLU on the up projection are named', () => {
  const glu = check('swiglu', (g: Tensor, u: Tensor) => g.sigmoid().mul(u));
  assert.equal(glu.passed, false);
  assert.match(glu.message!, /that is GLU/);
  const swapped = check('swiglu', (g: Tensor, u: Tensor) => u.silu().mul(g));
  assert.equal(swapped.passed, false);
  assert.match(swapped.message!, /SiLU goes on the gate/);
});

test('repeat-kv: tiled kv heads (0 1 0 1) are named', () => {
  const tiled = (x: Tensor, nHead: number) => {
    const nKv = x.shape[1]!;
    return x.indexSelect(
      1,
      Array.from({ length: nHead }, (_, h) => h % nKv),
    );
  };
  const r = check('repeat-kv', tiled);
  assert.equal(r.passed, false);
  assert.match(r.message!, /tiled \(0 1 0 1\)/);
});

test('rope-permute: the permutation the wrong way, and one across all heads, are named', () => {
  const backwards = check('rope-permute', (w: Tensor, nh: number, inv = false) => solPermute(w, nh, !inv));
  assert.equal(backwards.passed, false);
  assert.match(backwards.message!, /inverse/);
  const oneHead = check('rope-permute', (w: Tensor, _nh: number, inv = false) => solPermute(w, 1, inv));
  assert.equal(oneHead.passed, false);
  assert.match(oneHead.message!, /within each head/);
});

test('llama3-rope-scaling: the blend reversed and the factor multiplied are named', () => {
  const reversed = (hs: number, base: number, s: RopeScaling | null) => {
    if (s?.type !== 'llama3') return solFreqs(hs, base, s);
    const L = s.originalMaxPositions;
    return Float64Array.from({ length: hs / 2 }, (_, i) => {
      const t = base ** (-(2 * i) / hs);
      const w = (2 * Math.PI) / t;
      if (w < L / s.highFreqFactor) return t;
      if (w > L / s.lowFreqFactor) return t / s.factor;
      const k = (L / w - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      return k * (t / s.factor) + (1 - k) * t;
    });
  };
  const r = check('llama3-rope-scaling', reversed);
  assert.equal(r.passed, false);
  assert.match(r.message!, /wrong way round/);
  const times = (hs: number, base: number, s: RopeScaling | null) =>
    solFreqs(
      hs,
      base,
      s === null
        ? null
        : s.type === 'linear'
          ? { ...s, factor: 1 / s.factor }
          : { ...s, factor: 1 / s.factor },
    );
  const m = check('llama3-rope-scaling', times);
  assert.equal(m.passed, false);
  assert.match(m.message!, /divide θ by the factor/);
});
