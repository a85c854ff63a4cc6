// RoPE's frequencies at Llama 3.1 8B's size against PyTorch (scripts/make-llama-fixtures.py, as
// transformers' modeling_rope_utils.py computes them): plain θ_i, the "llama3" rule (high
// frequencies kept, low ones divided by the factor, a blend between) and "linear" scaling.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ropeFrequencies } from '../../src/model/rope-scaling.js';

const g = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'hf-llama', 'rope-frequencies.json'), 'utf8'),
) as { headDim: number; theta: number; plain: number[]; llama3: number[]; linear4: number[] };

function closeRel(a: ArrayLike<number>, b: readonly number[], what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < b.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= 1e-12 * Math.abs(b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

const llama3 = {
  type: 'llama3',
  factor: 8,
  lowFreqFactor: 1,
  highFreqFactor: 4,
  originalMaxPositions: 8192,
} as const;

test('rope scaling: plain frequencies θ_i = base^(-2i/hs) equal PyTorch', () => {
  closeRel(ropeFrequencies(g.headDim, g.theta), g.plain, 'plain');
});

test("rope scaling: Llama 3's rule keeps the high frequencies, divides the low, blends between", () => {
  const f = ropeFrequencies(g.headDim, g.theta, llama3);
  closeRel(f, g.llama3, 'llama3');
  const kinds = g.plain.map((p, i) =>
    f[i] === p ? 'kept' : Math.abs(f[i] - p / 8) < 1e-18 ? 'divided' : 'blend',
  );
  for (const k of ['kept', 'divided', 'blend'] as const)
    assert.ok(kinds.includes(k), `some frequency is ${k}`);
});

test('rope scaling: linear scaling divides every frequency by the factor', () => {
  closeRel(ropeFrequencies(g.headDim, g.theta, { type: 'linear', factor: 4 }), g.linear4, 'linear');
});
