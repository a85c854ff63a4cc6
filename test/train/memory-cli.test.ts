// `llmfs train` checks a run's memory before it starts (src/train/memory-plan.ts): a run that
// cannot fit is one error line with the estimate and a batch size that fits, and no run directory
// is created. LLMFS_MEMORY_BUDGET stands in for the machine's memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryBudget } from '../../src/cli/train-job.js';

const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;

function train(budget: number, batch: number): { status: number | null; stderr: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-memory-'));
  const data = join(dir, 'text.txt');
  writeFileSync(data, 'the quick brown fox jumps over the lazy dog. '.repeat(200));
  const out = join(dir, 'run');
  const args = [
    'train',
    '--data',
    data,
    '--preset',
    'cpu-small',
    '--steps',
    '1',
    '--batch-size',
    String(batch),
  ];
  const r = spawnSync(process.execPath, [bin, ...args, '--eval-batches', '1', '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, LLMFS_MEMORY_BUDGET: String(budget), LLMFS_BACKEND: 'js' },
  });
  return { status: r.status, stderr: r.stderr, out };
}

test('train: a run too large for the memory budget is refused in one line, with a batch size that fits', () => {
  const r = train(60e6, 12);
  assert.equal(r.status, 1);
  // Before it only the data line (progress information); then the one error line, and nothing else.
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('data: '));
  assert.equal(lines.length, 1, r.stderr);
  const m =
    /^error: train: this run needs about .* more than the 60\.0 MB available; --batch-size (\d+) fits/.exec(
      lines[0],
    );
  assert.ok(m, lines[0]);
  assert.ok(!existsSync(r.out), 'no run directory was created');
  // The suggested batch size really is accepted under the same budget.
  const again = train(60e6, Number(m[1]));
  assert.equal(again.status, 0, again.stderr);
});

test('memory budget: LLMFS_MEMORY_BUDGET when set, else 80% of the machine', () => {
  assert.equal(memoryBudget({ LLMFS_MEMORY_BUDGET: '123456' }), 123456);
  assert.ok(memoryBudget({}) > 1e8);
  assert.ok(memoryBudget({ LLMFS_MEMORY_BUDGET: 'lots' }) > 1e8);
});
