// The CLI fuzz test: every sub-command run with random flags from its own option table (wrong
// types, negatives, zero, huge, empty, unknown, stray arguments), random paths (existing, missing,
// unwritable, a file for a folder) and file contents (empty, binary, invalid UTF-8, a huge line).
// Each case must end in exit 0 or one `error: ...` line, never a stack trace, and a failing case
// must leave the run directory it was pointed at byte for byte as it was.
//
// Replay or widen: LLMFS_FUZZ_SEED=7 LLMFS_FUZZ_CASES=2000 node --import tsx --test test/cli/fuzz.test.ts
// (LLMFS_FUZZ_BIG=1 lets the gpt2-size presets in: slow.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzFailure } from './fuzz-runner.js';

const SEED = Number(process.env.LLMFS_FUZZ_SEED ?? 20261130);
const CASES = Number(process.env.LLMFS_FUZZ_CASES ?? 300);

const shell = (argv: string[]) =>
  argv.map((a) => (/^[\w./=,:-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

const ROOT = join(import.meta.dirname, '..', '..');
/** The repository's fixtures, listed: a case must never write outside its sandbox. */
const fixtures = () =>
  readdirSync(join(ROOT, 'test', 'fixtures'), { recursive: true })
    .map(String)
    .sort();

test(`cli fuzz: ${CASES} random command lines (seed ${SEED}) end in exit 0 or one error line`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-fuzz-out-'));
  const out = join(dir, 'result.json');
  const before = fixtures();
  try {
    // A child process runs the cases in-process (main(argv), captured console): fast, and its
    // captured stdout cannot swallow this test runner's own reports.
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fuzz-runner.ts'), String(SEED), String(CASES), out],
      { encoding: 'utf8', timeout: 240_000, cwd: ROOT },
    );
    if (!existsSync(out)) {
      const current = existsSync(`${out}.current`) ? readFileSync(`${out}.current`, 'utf8') : 'none';
      assert.fail(
        `the fuzz runner ended without a result (status ${r.status}, signal ${r.signal}); ` +
          `last case ${current}\n${r.stderr.slice(-3000)}`,
      );
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      failures: FuzzFailure[];
      ran: number;
      ok: number;
      refused: number;
    };
    assert.equal(result.ran, CASES);
    assert.deepEqual(fixtures(), before, 'the fuzz cases wrote into the repository');
    assert.ok(result.ok > CASES / 10 && result.refused > CASES / 10, `a mix of outcomes: ${result.ok} ok`);
    const report = result.failures.map(
      (f) =>
        `case ${f.index} (seed ${f.seed}): llmfs ${shell(f.argv)}\n  ${f.reason.split('\n').slice(0, 4).join('\n  ')}`,
    );
    assert.equal(result.failures.length, 0, `${result.failures.length} failing cases:\n${report.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
