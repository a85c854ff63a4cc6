// Every exercise, as rustlings' own CI does it (issue 13): through the real path a learner's file
// takes (type check, transpile, worker), the untouched stub fails with a message saying it is not
// written yet, and the reference solution passes every check. Slowest check time is printed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXERCISES, exerciseFile, type CheckReport } from '../../src/exercises/index.js';
import { checkFile } from '../../src/exercises/node/check-file.js';

const ROOT = join(import.meta.dirname, '..', '..', 'exercises');
let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'llmfs-all-exercises-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const explain = (r: CheckReport) =>
  r.checks
    .filter((c) => !c.passed)
    .map((c) => `${c.name}: ${c.message ?? c.firstDiff}`)
    .join('\n');

test('there are at least 32 exercises, with unique ids, covering chapters 1 to 8', () => {
  assert.ok(EXERCISES.length >= 32, `${EXERCISES.length} exercises`);
  assert.equal(new Set(EXERCISES.map((e) => e.id)).size, EXERCISES.length);
  for (let ch = 1; ch <= 8; ch++)
    assert.ok(
      EXERCISES.some((e) => e.chapter === ch),
      `chapter ${ch} has exercises`,
    );
  for (const e of EXERCISES) assert.ok(e.hints.length >= 2, `${e.id} has progressive hints`);
});

test(
  'every exercise: the stub fails saying it is not written, the solution passes',
  { concurrency: 2 },
  async (t) => {
    let slowest = { id: '', ms: 0 };
    for (const e of EXERCISES) {
      await t.test(e.id, async () => {
        const file = join(dir, exerciseFile(e));
        copyFileSync(join(ROOT, 'stubs', exerciseFile(e)), file.replace(/\.ts$/, '.stub.ts'));
        const stub = await checkFile(e.id, file.replace(/\.ts$/, '.stub.ts'));
        assert.equal(stub.passed, false, `${e.id}: the stub passed`);
        assert.match(stub.message ?? '', /not written .* yet/, `${e.id}: ${stub.message}`);
        copyFileSync(join(ROOT, 'solutions', exerciseFile(e)), file);
        const t0 = performance.now();
        const sol = await checkFile(e.id, file);
        const ms = performance.now() - t0;
        if (ms > slowest.ms) slowest = { id: e.id, ms };
        assert.equal(sol.passed, true, `${e.id}'s solution fails:\n${explain(sol)}`);
        assert.ok(sol.checks.filter((c) => c.kind === 'case').length >= 3, `${e.id}: at least 3 cases`);
      });
    }
    t.diagnostic(`slowest check: ${slowest.id} in ${(slowest.ms / 1000).toFixed(1)} s`);
  },
);
