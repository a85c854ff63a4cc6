// Chapter 1's exercises: each stub is reported as not written yet, each reference solution passes,
// planted mistakes are rejected with a message that names them, and solutions written
// differently (loops instead of tensor ops) pass too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findExercise } from '../../src/exercises/catalog.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { Tensor } from '../../src/tensor/index.js';

function check(id: string, fn: unknown) {
  const spec = findExercise(id);
  assert.ok(spec, `exercise ${id} is in the catalog`);
  return runExercise(spec, fn as LearnerFn);
}

const IDS = [
  ['mul-backward', 'mulBackward'],
  ['tanh-backward', 'tanhBackward'],
  ['matmul-backward', 'matmulBackward'],
  ['softmax', 'softmax'],
  ['softmax-backward', 'softmaxBackward'],
  ['sum-to-shape', 'sumToShape'],
  ['topological-sort', 'topologicalSort'],
] as const;

for (const [id, name] of IDS) {
  test(`${id}: the stub is reported as not written yet`, async () => {
    const stub = (await import(`../../exercises/stubs/01-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, stub[name]);
    assert.equal(r.passed, false);
    assert.match(r.message ?? '', /not written .* yet/);
  });

  test(`${id}: the reference solution passes every check`, async () => {
    const sol = (await import(`../../exercises/solutions/01-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.ok(r.passed, JSON.stringify(r.checks.filter((c) => !c.passed)));
    assert.ok(r.checks.some((c) => c.kind === 'gradcheck' || c.kind === 'integration'));
  });
}

test('tanh-backward: using x instead of the saved y is named', () => {
  const r = check('tanh-backward', (x: Tensor, _y: Tensor, g: Tensor) => g.mul(x.mul(x).neg().add(1)));
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /used x where the formula needs y/);
});

test('tanh-backward: a sign error is named', () => {
  const r = check('tanh-backward', (_x: Tensor, y: Tensor, g: Tensor) => g.mul(y.mul(y).sub(1)));
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /sign/);
});

test('tanh-backward: a loop over .data passes', () => {
  const r = check('tanh-backward', (x: Tensor, y: Tensor, g: Tensor) => {
    const dx = new Float32Array(x.size);
    for (let i = 0; i < dx.length; i++) dx[i] = g.data[i]! * (1 - y.data[i]! * y.data[i]!);
    return new Tensor(dx, x.shape);
  });
  assert.ok(r.passed, r.message);
});

test('matmul-backward: forgetting the transpose of B makes the shapes not align, and says so', () => {
  const r = check('matmul-backward', (a: Tensor, b: Tensor, g: Tensor) => [
    g.matmul(b), // should be g.matmul(b.transpose(-2, -1))
    a.transpose(-2, -1).matmul(g),
  ]);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /threw .*do not align/);
});

test('softmax: without the max subtraction, large logits overflow and the message says so', () => {
  const r = check('softmax', (x: Tensor, axis: number) => x.exp().div(x.exp().sum(axis, true)));
  assert.equal(r.passed, false);
  const failed = r.checks.filter((c) => !c.passed).map((c) => c.name);
  assert.deepEqual(failed, ['large logits (±1000)']);
  assert.match(r.message ?? '', /NaN|overflow/);
});

test('softmax: normalising along the wrong axis is named', () => {
  const r = check('softmax', (x: Tensor) => {
    const e = x.sub(x.max(0, true)).exp();
    return e.div(e.sum(0, true));
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /wrong axis/);
});

test('softmax-backward: leaving out the − Σ dy⊙y term is named', () => {
  const r = check('softmax-backward', (y: Tensor, g: Tensor) => y.mul(g));
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /Σ dy ⊙ y term is missing/);
});

test('softmax-backward: a loop over rows passes', () => {
  const r = check('softmax-backward', (y: Tensor, g: Tensor) => {
    const C = y.shape[y.ndim - 1]!;
    const dx = new Float32Array(y.size);
    for (let r0 = 0; r0 < y.size; r0 += C) {
      let dot = 0;
      for (let j = 0; j < C; j++) dot += g.data[r0 + j]! * y.data[r0 + j]!;
      for (let j = 0; j < C; j++) dx[r0 + j] = y.data[r0 + j]! * (g.data[r0 + j]! - dot);
    }
    return new Tensor(dx, y.shape);
  });
  assert.ok(r.passed, r.message);
});

test('sum-to-shape: summing only the leading axes is rejected with a shape message', () => {
  const r = check('sum-to-shape', (g: Tensor, shape: readonly number[]) => {
    const lead = g.ndim - shape.length;
    return lead > 0 ? g.sum([...Array(lead).keys()]) : g;
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /size 1|shape/);
});

test('topological-sort: visiting a diamond node twice is named', () => {
  const r = check('topological-sort', <T>(root: T, inputsOf: (n: T) => readonly T[]): T[] => {
    const order: T[] = [];
    const visit = (n: T): void => {
      for (const c of inputsOf(n)) visit(c); // no visited set
      order.push(n);
    };
    visit(root);
    return order.reverse();
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /"a" appears 2 times.*visited/);
});

test('topological-sort: forgetting to reverse is named', () => {
  const r = check('topological-sort', <T>(root: T, inputsOf: (n: T) => readonly T[]): T[] => {
    const order: T[] = [];
    const seen = new Set<T>();
    const visit = (n: T): void => {
      if (seen.has(n)) return;
      seen.add(n);
      for (const c of inputsOf(n)) visit(c);
      order.push(n);
    };
    visit(root);
    return order;
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /forget to reverse/);
});

test('topological-sort: an iterative version with an explicit stack passes', () => {
  const r = check('topological-sort', <T>(root: T, inputsOf: (n: T) => readonly T[]): T[] => {
    const order: T[] = [];
    const seen = new Set<T>([root]);
    const stack: { node: T; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = inputsOf(top.node);
      if (top.next < inputs.length) {
        const c = inputs[top.next++]!;
        if (!seen.has(c)) {
          seen.add(c);
          stack.push({ node: c, next: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
    return order.reverse();
  });
  assert.ok(r.passed, r.message);
});

test("topological-sort: Kahn's algorithm (another valid order, not depth-first) passes", () => {
  const r = check('topological-sort', <T>(root: T, inputsOf: (n: T) => readonly T[]): T[] => {
    // count, for every node under root, how many distinct users it has; then peel from the root
    const users = new Map<T, number>([[root, 0]]);
    const seen = new Set<T>([root]);
    const todo = [root];
    while (todo.length > 0) {
      const n = todo.pop()!;
      for (const c of new Set(inputsOf(n))) {
        users.set(c, (users.get(c) ?? 0) + 1);
        if (!seen.has(c)) {
          seen.add(c);
          todo.push(c);
        }
      }
    }
    const order: T[] = [];
    const ready = [root];
    while (ready.length > 0) {
      const n = ready.shift()!;
      order.push(n);
      for (const c of new Set(inputsOf(n))) {
        users.set(c, users.get(c)! - 1);
        if (users.get(c) === 0) ready.push(c);
      }
    }
    return order;
  });
  assert.ok(r.passed, r.message);
});
