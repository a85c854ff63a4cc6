// pca2d against torch.linalg.eigh (test/fixtures/pca-golden.json, made by scripts/make-pca-fixture.py):
// the points, components, variances and explained-variance ratios of four matrices, one of them
// with its two leading eigenvalues 1% apart and one of rank 2 with fewer rows than columns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pca2d } from '../../src/diagnose/embedding-pca.js';

interface Case {
  name: string;
  n: number;
  d: number;
  x: number[];
  points: number[][];
  components: number[][];
  variances: number[];
  explained: number[];
}

const GOLDEN = JSON.parse(readFileSync('test/fixtures/pca-golden.json', 'utf8')) as { cases: Case[] };

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(
      err <= tol * Math.max(1, Math.abs(expected[i])),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

for (const c of GOLDEN.cases) {
  test(`pca2d: the '${c.name}' (${c.n}, ${c.d}) matrix gives torch's points, directions and variance shares`, () => {
    const r = pca2d(Float32Array.from(c.x), c.n, c.d);
    const scale = Math.sqrt(c.variances[0]);
    close(r.variances, c.variances, 1e-9, 'variances');
    close(r.explained, c.explained, 1e-9, 'explained');
    close(r.components[0], c.components[0], 1e-7, 'v1');
    close(r.components[1], c.components[1], 1e-7, 'v2');
    // Points relative to the spread sqrt(λ1), so the embedding-scale matrix meets the same bound.
    close(
      r.points.map((p) => p.map((v) => v / scale)).flat(),
      c.points.flat().map((p) => p / scale),
      1e-7,
      'points',
    );
  });
}

test('pca2d: each component has its largest-|value| entry positive, and the points are the centred projections', () => {
  const x = [1, 0, -4, 2, 5, 1, 0, 3, -1, 1, 2, 2];
  const r = pca2d(x, 4, 3);
  for (const v of r.components) {
    const big = v.reduce((k, _, j) => (Math.abs(v[j]) > Math.abs(v[k]) ? j : k), 0);
    assert.ok(v[big] > 0);
  }
  const sums = [0, 1].map((k) => r.points.reduce((s, p) => s + p[k], 0));
  close(sums, [0, 0], 1e-12, 'centred points sum to 0');
});

test('pca2d: a matrix of identical rows has no variance to explain, and too small a matrix is refused', () => {
  const r = pca2d([1, 2, 3, 1, 2, 3], 2, 3);
  assert.deepEqual(r.explained, [0, 0]);
  assert.deepEqual(r.points, [
    [0, 0],
    [0, 0],
  ]);
  assert.throws(() => pca2d([1, 2], 1, 2), /at least 2 rows and 2 columns, got \(1, 2\)/);
  assert.throws(() => pca2d([1, 2, 3], 2, 2), /3 values do not make a \(2, 2\) matrix/);
});
