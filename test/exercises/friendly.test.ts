// Bad learner code gets a clear, friendly message and never crashes the tool (issue 13): syntax
// and type errors as file:line with the compiler's message, an exception with its message and the
// line in the learner's file, an infinite loop stopped by the time limit, a loop at the top level,
// a missing export, NaN output, a wrong shape, and a learner's process.exit.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../../src/exercises/node/check-file.js';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'llmfs-friendly-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = "import type { Tensor } from 'llm-from-scratch';\n";
const SIG =
  'export function mulBackward(a: Tensor, b: Tensor, grad: Tensor): [Tensor | null, Tensor | null] {\n';

async function check(name: string, source: string, timeScale = 1) {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source);
  return checkFile('mul-backward', file, { timeScale });
}

test('a syntax error is reported as file:line:column with the compiler’s message', async () => {
  const r = await check(
    'syntax',
    HEAD + 'export function mulBackward(a: Tensor, b: Tensor {\n  return [a, b];\n}\n',
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /^syntax\.ts:2:\d+: .*expected/);
});

test('a type error is reported as file:line:column with the compiler’s message', async () => {
  const r = await check('types', HEAD + SIG + '  return [grad.mull(b), grad.mul(a)];\n}\n');
  assert.match(
    r.message!,
    /^types\.ts:3:\d+: Property 'mull' does not exist on type 'Tensor'\. Did you mean 'mul'\?/,
  );
});

test('an exception names its message and the line in the learner’s file', async () => {
  const src =
    HEAD +
    'function helper(x: Tensor): Tensor {\n  throw new RangeError(`bad size ${x.size}`);\n}\n' +
    SIG +
    '  return [helper(grad), grad];\n}\n';
  const r = await check('throws', src);
  assert.equal(r.passed, false);
  assert.match(r.message!, /threw RangeError: bad size \d+ \(at throws\.ts:3:\d+\)/);
});

test('an infinite loop is stopped: "your function did not return within N s"', async () => {
  const t0 = Date.now();
  const r = await check('loop', HEAD + SIG + '  for (;;) {}\n}\n', 0.25);
  assert.equal(r.passed, false);
  assert.match(r.message!, /did not return within 1 s/);
  assert.ok(Date.now() - t0 < 30_000);
});

test('a loop at the top level of the file is stopped too', async () => {
  const r = await check('toplevel', HEAD + 'while (true) {}\n' + SIG + '  return [grad, grad];\n}\n', 0.25);
  assert.match(r.message!, /loading your file did not finish within 1 s/);
});

test('a missing export names the function wanted and what the file exports', async () => {
  const r = await check('noexport', HEAD + 'export function mulBackwards(a: Tensor) {\n  return a;\n}\n');
  assert.match(r.message!, /does not export a function named 'mulBackward' \(it exports: mulBackwards\)/);
});

test('NaN in the output is named, with where it is', async () => {
  const r = await check('nan', HEAD + SIG + '  return [grad.mul(b).mul(NaN), grad.mul(a)];\n}\n');
  assert.match(r.message!, /output\[0\]\[0, 0\] is NaN where the reference is/);
});

test('a wrong shape is named, with the shape wanted', async () => {
  const r = await check('shape', HEAD + SIG + '  return [grad.mul(b).sum(), grad.mul(a)];\n}\n');
  assert.match(r.message!, /output\[0\] has shape \(\) but should have shape \(3, 5\)/);
});

test('a learner’s process.exit ends the check with a message, not the tool', async () => {
  const r = await check(
    'exit',
    HEAD + SIG + '  (globalThis as any).process.exit(3);\n  return [grad, grad];\n}\n',
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /the check stopped \(exit code 3\)/);
});

test('a runaway allocation ends the check with a message, not the tool', async () => {
  const file = join(dir, 'memory.ts');
  writeFileSync(
    file,
    HEAD + SIG + '  const xs: number[][] = [];\n  for (;;) xs.push(new Array(1e5).fill(1));\n}\n',
  );
  const r = await checkFile('mul-backward', file, { heapLimitMb: 64 });
  assert.equal(r.passed, false);
  assert.match(r.message!, /^same shape \(3, 5\): your function ran out of memory/);
});
