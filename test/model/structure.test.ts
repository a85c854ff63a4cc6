// The model's shared pieces: one splitHeads/mergeHeads pair, one residual branch (pre- or
// post-norm) that the GPT block and the encoder/decoder layers all use, and no import cycles
// among the model, generation, io and CLI modules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../../src/tensor/index.js';
import { LayerNorm } from '../../src/nn/layers.js';
import { splitHeads, mergeHeads, residual } from '../../src/model/index.js';

test('splitHeads: (B, T, n·hs) -> (B, n, T, hs) puts channel h·hs + j of head h at [b, h, t, j]', () => {
  const x = T.tensor([[[0, 1, 2, 3, 4, 5], [10, 11, 12, 13, 14, 15]]]); // (1, 2, 6): 3 heads of 2
  const h = splitHeads(x, 3);
  assert.deepEqual(h.shape, [1, 3, 2, 2]);
  assert.deepEqual(Array.from(h.data), [0, 1, 10, 11, 2, 3, 12, 13, 4, 5, 14, 15]);
  const back = mergeHeads(h);
  assert.deepEqual(back.shape, [1, 2, 6]);
  assert.deepEqual(Array.from(back.data), Array.from(x.data));
});

test('residual: pre-norm is x + f(norm(x)), post-norm is norm(x + f(x))', () => {
  const x = T.tensor([[[1, 2, 4], [0, -1, 3]]]); // (1, 2, 3)
  const norm = new LayerNorm(3);
  const f = (h: T.Tensor) => h.mul(2);
  const mean = (r: number[]) => r.reduce((a, b) => a + b, 0) / r.length;
  const ln = (r: number[]) => {
    const m = mean(r);
    const v = mean(r.map((a) => (a - m) ** 2));
    return r.map((a) => (a - m) / Math.sqrt(v + 1e-5));
  };
  const rows = [[1, 2, 4], [0, -1, 3]];
  const pre = rows.map((r) => ln(r).map((a, i) => r[i] + 2 * a));
  const post = rows.map((r) => ln(r.map((a) => 3 * a)));
  const got = (p: 'pre' | 'post') => Array.from(residual(x, norm, f, p).data);
  got('pre').forEach((a, i) => assert.ok(Math.abs(a - pre.flat()[i]) < 1e-5, `pre ${i}`));
  got('post').forEach((a, i) => assert.ok(Math.abs(a - post.flat()[i]) < 1e-5, `post ${i}`));
});

/** Relative imports of every .ts file under src/, as a graph of absolute paths. */
function importGraph(root: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.ts')) files.push(join(d, e.name));
    }
  };
  walk(root);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps = [...readFileSync(f, 'utf8').matchAll(/(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'/g)];
    graph.set(f, deps.map((m) => resolve(dirname(f), m[1].replace(/\.js$/, '.ts'))));
  }
  return graph;
}

test('no import cycles through model/, generate/, eval/, io/ or cli/ (type-only imports count)', () => {
  const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
  const graph = importGraph(src);
  const owned = /^(model|generate|eval|io|cli)\//;
  const cycles: string[] = [];
  for (const start of graph.keys()) {
    if (!owned.test(relative(src, start))) continue;
    // depth-first search for a path from start back to start
    const seen = new Set<string>();
    const stack: [string, string[]][] = [[start, [start]]];
    while (stack.length > 0) {
      const [node, path] = stack.pop()!;
      for (const next of graph.get(node) ?? []) {
        if (next === start) cycles.push(path.map((p) => relative(src, p)).join(' -> '));
        else if (!seen.has(next) && graph.has(next)) {
          seen.add(next);
          stack.push([next, [...path, next]]);
        }
      }
    }
  }
  assert.deepEqual(cycles, []);
});
