// Chapter 18's exercises (training in parallel): each stub fails as "not written yet", each
// reference solution passes (with its integration step: DDP's gradient through the learner's ring
// equals one worker's, ZeRO-1's shards are the ring's, Megatron's sharded MLP sums to the full one,
// GPipe's measured bubble is (N-1)/(M+N-1)), and planted mistakes are named: the average inside
// the ring, an adding all-gather, the wrong neighbour; floor-sized and numpy-style chunks; the
// column and row splits swapped, strided rows; backwards in forward order, no flush.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter18 } from '../../src/exercises/catalog/ch18.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { sumThenDivide } from '../../src/parallel/ring.js';
import { ringVariant } from '../../src/exercises/catalog/ch18-helpers.js';
import { withImplementations } from '../../src/exercises/registry.js';
import { workerMemory } from '../../src/parallel/memory.js';
import { shardOf } from '../../src/parallel/tensor/shard.js';
import { gptConfig } from '../../src/model/config.js';
import { ringAllReduceSteps as solRing } from '../../exercises/solutions/18-ring-all-reduce.js';
import { shardLinear as solShard } from '../../exercises/solutions/18-column-row-split.js';
import { gpipeSchedule as solSchedule, type StageEvent } from '../../exercises/solutions/18-gpipe-bubble.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter18.find((e) => e.id === id)!,
    fn as LearnerFn,
  );

for (const [id, name] of [
  ['ring-all-reduce', 'ringAllReduceSteps'],
  ['zero-shard-range', 'chunkRange'],
  ['column-row-split', 'shardLinear'],
  ['gpipe-bubble', 'gpipeSchedule'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/18-${id}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/18-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.filter((c) => c.kind === 'case').length >= 5);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

test('chapter 18: the four exercises sit under the chapter’s section headings', () => {
  assert.deepEqual(
    chapter18.map((e) => e.section),
    [
      'Data parallel and the all-reduce',
      'ZeRO-1: sharding the optimizer state',
      'Tensor parallel',
      'Pipeline parallel',
    ],
  );
});

test('ring-all-reduce: the reference solution ends with sum-then-divide × N on every rank', () => {
  const xs = [0, 1, 2, 3].map((r) => Float32Array.from({ length: 9 }, (_, i) => Math.sin(r * 9 + i)));
  const states = solRing(xs);
  assert.equal(states.length, 7);
  const want = sumThenDivide(xs, 4);
  for (const buf of states[6]!) buf.forEach((v, i) => assert.ok(Math.abs(v / 4 - want[i]!) < 1e-6));
  // after the reduce-scatter (state N - 1), rank r holds chunk r (chunkRange: ceil(9/4) = 3) summed
  const sum = sumThenDivide(xs);
  for (let r = 0; r < 3; r++)
    for (let i = 3 * r; i < Math.min(9, 3 * r + 3); i++)
      assert.ok(Math.abs(states[3]![r]![i]! - sum[i]!) < 1e-6);
});

test('ring-all-reduce: averaging inside, an adding all-gather, the wrong neighbour and chunk are named', () => {
  const averaged = (xs: Float32Array[]) => {
    const s = solRing(xs);
    const N = xs.length;
    s[s.length - 1] = s[s.length - 1]!.map((b) => b.map((v) => v / N));
    return s;
  };
  assert.match(check('ring-all-reduce', averaged).message!, /divides by N after the ring/);
  const adds = (xs: Float32Array[]) => ringVariant(xs, { gatherAdds: true });
  assert.match(check('ring-all-reduce', adds).message!, /adding it counts it twice/);
  const right = (xs: Float32Array[]) => ringVariant(xs, { fromRight: true });
  assert.match(check('ring-all-reduce', right).message!, /right neighbour/);
  const shifted = (xs: Float32Array[]) => ringVariant(xs, { shift: 1 });
  assert.match(check('ring-all-reduce', shifted).message!, /rank r must own chunk r/);
});

test('zero-shard-range: floor-sized chunks, numpy-style chunks and an inclusive end are named', () => {
  const floor = (n: number, N: number, c: number) => {
    const L = Math.floor(n / N);
    return [c * L, (c + 1) * L];
  };
  assert.match(check('zero-shard-range', floor).message!, /leaves the last n mod N floats to nobody/);
  const spread = (n: number, N: number, c: number) => {
    const [f, q] = [Math.floor(n / N), n % N];
    return [c * f + Math.min(c, q), (c + 1) * f + Math.min(c + 1, q)];
  };
  assert.match(check('zero-shard-range', spread).message!, /numpy\.array_split/);
  const inclusive = (n: number, N: number, c: number) => {
    const L = Math.ceil(n / N);
    return [Math.min(n, c * L), Math.min(n, (c + 1) * L) - 1];
  };
  assert.match(check('zero-shard-range', inclusive).message!, /half-open/);
});

test('column-row-split: the two splits swapped, and strided rows, are named', () => {
  type Split = 'column' | 'row';
  const swapped = (w: Float32Array, rows: number, cols: number, n: number, rank: number, s: Split) =>
    solShard(w, rows, cols, n, rank, s === 'column' ? 'row' : 'column');
  const r = check('column-row-split', swapped);
  assert.equal(r.passed, false);
  assert.match(r.message!, /that is the row split/);
  const strided = (w: Float32Array, rows: number, cols: number, n: number, rank: number, s: Split) => {
    if (s === 'row') return solShard(w, rows, cols, n, rank, s);
    const out = new Float32Array((rows / n) * cols);
    for (let j = 0; j < rows / n; j++)
      out.set(w.subarray((j * n + rank) * cols, (j * n + rank + 1) * cols), j * cols);
    return out;
  };
  assert.match(check('column-row-split', strided).message!, /one contiguous block of rows/);
});

test('gpipe-bubble: backwards in forward order, and backwards before the flush, are named', () => {
  const forwardOrder = (N: number, M: number, f: number, b: number) =>
    solSchedule(N, M, f, b).map((row) => {
      const B = row.filter((e) => e.kind === 'B');
      return [
        ...row.filter((e) => e.kind === 'F'),
        ...B.map((e, j) => ({ ...e, micro: B[M - 1 - j]!.micro })),
      ];
    });
  assert.match(check('gpipe-bubble', forwardOrder).message!, /reverse micro-batch order/);
  const early = (N: number, M: number, f: number, b: number): StageEvent[][] =>
    solSchedule(N, M, f, b).map((row) =>
      row.map((e) => (e.kind === 'B' ? { ...e, start: e.start - f, end: e.end - f } : e)),
    );
  assert.match(check('gpipe-bubble', early).message!, /before the last stage has finished every forward/);
});

test('the library goes through the slots: workerMemory cuts with chunkRange, shardOf splits with shardLinear', () => {
  // ZeRO-1's moments on rank 1 of 2 for P = 10, AdamW (2 buffers): 5 floats × 2 × 4 bytes.
  assert.equal(workerMemory(10, 2, 1, 1, 2, 0).moments, 40);
  const everything = (n: number): [number, number] => [0, n];
  assert.equal(
    withImplementations({ chunkRange: everything }, () => workerMemory(10, 2, 1, 1, 2, 0).moments),
    80,
  );
  const c = gptConfig({ vocabSize: 16, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 4 });
  const w = Float32Array.from({ length: 16 * 4 }, (_, i) => i);
  const mine = shardOf('h.0.mlp.c_fc.weight', w, c, 2, 1);
  assert.deepEqual([...mine], [...w.slice(32)]); // rank 1 of 2: rows 8..15 of (16, 4)
  const first = () => new Float32Array([7]);
  assert.deepEqual(
    [...withImplementations({ shardLinear: first }, () => shardOf('h.0.mlp.c_proj.weight', w, c, 2, 0))],
    [7],
  );
});
