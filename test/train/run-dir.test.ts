// The run directory from the outside (the `llmfs train` command in a child process): a bad value
// or a second run never touches it, a full or read-only disk ends in one error line with the last
// good checkpoint intact, Ctrl-C saves and says how to resume, and that checkpoint always resumes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-checkpoint.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/llmfs.mjs');
const faults = join(root, 'test/io/fs-faults.ts');

function setup(): { dir: string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-rundir-'));
  const data = join(dir, 'text.txt');
  writeFileSync(
    data,
    'It was the best of times, it was the worst of times, it was the age of wisdom. '.repeat(40),
  );
  return { dir, data };
}

/** A short tiny-model run's flags. */
const quick = (data: string, out: string, ...more: string[]) => [
  'train',
  '--data',
  data,
  '--preset',
  'tiny',
  '--block-size',
  '16',
  '--batch-size',
  '2',
  '--eval-batches',
  '1',
  '--no-cache',
  '--out',
  out,
  ...more,
];

function cli(args: string[], fault?: string): { status: number | null; stdout: string; stderr: string } {
  const pre = fault ? ['--import', 'tsx', '--import', faults] : [];
  const env = { ...process.env, LLMFS_FAULT: fault ?? '' };
  return spawnSync(process.execPath, [...pre, bin, ...args], { encoding: 'utf8', cwd: root, env });
}

/** Asserts exit 1 with one `error:` line (and no stack trace); returns that line. */
function oneErrorLine(r: { status: number | null; stderr: string }, what: string): string {
  assert.equal(r.status, 1, `${what}: ${r.stderr}`);
  const last = r.stderr.trim().split('\n').pop()!;
  assert.match(last, /^error: /, what);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
  return last;
}

/** Every file under `dir` with a hash of its bytes: equal snapshots mean nothing was touched. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, `${rel}${e}/`);
      else out[`${rel}${e}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

const stepOf = (ckpt: string) => loadModel(ckpt).trainingState!.step as number;

test('a bad value, a stray re-run or a conflicting resume leaves the run directory byte for byte as it was', () => {
  const { dir, data } = setup();
  const out = join(dir, 'run');
  assert.equal(cli(quick(data, out, '--steps', '4', '--eval-interval', '2', '--quiet')).status, 0);
  const before = snapshot(out);
  const cases: [string[], RegExp][] = [
    [['--beta1', '5'], /--beta1 must be in \[0, 1\), got 5/],
    [['--warmup', '-5'], /--warmup must be an integer >= 0, got -5/],
    [['--weight-decay', '-1'], /--weight-decay must be a finite number >= 0, got -1/],
    [['--grad-clip', '-1'], /--grad-clip must be a finite number >= 0, got -1/],
    [['--min-lr', '0.01'], /--min-lr \(0\.01\) must not exceed --lr \(0\.001\)/],
    // With --force too: everything is checked before the earlier run is deleted.
    [['--force', '--beta1', '5'], /--beta1 must be in/],
    [
      ['--force', '--val-fraction', '0.001'],
      /validation split \(--val-fraction 0\.001\) has \d+ tokens, fewer than one window/,
    ],
    [['--steps', '8'], /already holds a run; continue it with --resume, replace it with --force/],
    [
      ['--resume', '--batch-size', '4'],
      /^error: train --resume: --batch-size 4 differs from the saved run's \(2\)/,
    ],
    [['--resume', '--force'], /--resume and --force do not mix/],
    [['--resume', '--steps', '3'], /--steps 3 is fewer than the 4 the run has done/],
  ];
  for (const [more, pattern] of cases) {
    const line = oneErrorLine(cli(quick(data, out, ...more)), more.join(' '));
    assert.match(line, pattern);
    assert.deepEqual(snapshot(out), before, `${more.join(' ')} left the run untouched`);
  }
  // --force replaces it (and says so).
  const r = cli(quick(data, out, '--steps', '2', '--eval-interval', '2', '--force'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /replacing the earlier run there/);
  assert.equal(stepOf(join(out, 'last')), 2);
});

test('--out naming a file, or a path under one: one error line, nothing created', () => {
  const { dir, data } = setup();
  assert.match(
    oneErrorLine(cli(quick(data, data)), 'a file'),
    /--out .*text\.txt is a file; the run needs a directory/,
  );
  const under = join(data, 'run');
  assert.match(
    oneErrorLine(cli(quick(data, under)), 'under a file'),
    /is under .*text\.txt, which is a file/,
  );
  // A new --out (with parents) on a failed run is not left behind.
  oneErrorLine(cli(quick(data, join(dir, 'a', 'b', 'c'), '--val-fraction', '0.001')), 'small split');
  assert.deepEqual(readdirSync(dir), ['text.txt']);
});

test('a read-only disk: one error line; the run there is untouched; a fresh --out on it is not created', () => {
  const { dir, data } = setup();
  const out = join(dir, 'run');
  assert.equal(cli(quick(data, out, '--steps', '2', '--eval-interval', '2', '--quiet')).status, 0);
  const before = snapshot(out);
  const line = oneErrorLine(
    cli(quick(data, out, '--resume', '--steps', '4'), `readonly:${dir}`),
    'read-only',
  );
  assert.match(line, /^error: train: cannot write to --out .* \(EROFS\)$/);
  assert.deepEqual(snapshot(out), before);
  const fresh = join(dir, 'ro', 'new');
  const line2 = oneErrorLine(cli(quick(data, fresh), `readonly:${join(dir, 'ro')}`), 'read-only parent');
  assert.match(line2, /^error: train: --out .*: cannot create .* \(EROFS\)$/);
});

test('the disk filling up while logging or during a checkpoint: one error line, and the last good checkpoint loads and resumes', () => {
  const { dir, data } = setup();
  // Logging: the 5th append to log.jsonl (step 4, after the checkpoint at step 2) fails.
  const a = join(dir, 'a');
  const args = (out: string) => quick(data, out, '--steps', '6', '--eval-interval', '2', '--quiet');
  const line = oneErrorLine(cli(args(a), `append:${join(a, 'log.jsonl')}:5`), 'ENOSPC in the log');
  assert.match(
    line,
    /log\.jsonl: cannot append \(ENOSPC\); the last good checkpoint is .*a\/last \(continue with --resume\)/,
  );
  assert.equal(stepOf(join(a, 'last')), 2);
  // A checkpoint: the second save to last/ (step 4) runs out of space in its first file.
  const b = join(dir, 'b');
  const line2 = oneErrorLine(cli(args(b), `write:${join(b, 'last.saving')}:6`), 'ENOSPC in a checkpoint');
  assert.match(
    line2,
    /model\.safetensors: cannot write file \(ENOSPC\); the last good checkpoint is .*b\/last/,
  );
  assert.ok(!existsSync(join(b, 'last.saving')), 'the half-written copy is removed');
  assert.equal(stepOf(join(b, 'last')), 2);
  // Both resume from there to the end.
  for (const out of [a, b]) {
    const r = cli(quick(data, out, '--resume', '--quiet'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(stepOf(join(out, 'last')), 6);
  }
});

/** Spawns a long training; resolves once `ready(out)` holds. */
async function startLong(data: string, out: string, ...more: string[]) {
  const child = spawn(process.execPath, [bin, ...quick(data, out, '--steps', '100000', ...more)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const t0 = Date.now();
  while (!existsSync(join(out, 'last', 'training_state.json')) && Date.now() - t0 < 60_000)
    await new Promise((r) => setTimeout(r, 20));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

test("two trainings into one directory: the second is refused while the first runs; a killed run's lock is taken over", async () => {
  const { dir, data } = setup();
  const out = join(dir, 'run');
  const first = await startLong(data, out, '--eval-interval', '5', '--quiet');
  const line = oneErrorLine(cli(quick(data, out, '--resume')), 'second run');
  assert.match(line, new RegExp(`another training \\(process ${first.child.pid}\\) is running in`));
  const line2 = oneErrorLine(cli(quick(data, out, '--force', '--steps', '3')), 'second run, --force');
  assert.match(line2, /another training/);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(existsSync(join(out, 'train.lock')), 'a killed run leaves its lock');
  const at = stepOf(join(out, 'last'));
  const r = cli(quick(data, out, '--resume', '--steps', String(at + 2)));
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`train\\.lock: taken over from process ${first.child.pid}, which is no longer running`),
  );
  assert.ok(!existsSync(join(out, 'train.lock')), 'the lock is given back');
});

test('Ctrl-C mid-run: the step finishes, a checkpoint is saved, the resume command printed, exit 130; it resumes', async () => {
  const { dir, data } = setup();
  const out = join(dir, 'run');
  const run = await startLong(data, out, '--eval-interval', '50');
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill('SIGINT');
  const { code } = await run.exited;
  const { stdout, stderr } = run.output();
  assert.equal(code, 130, stderr);
  const m =
    /stopped at step (\d+) of 100000 \(SIGINT\); the checkpoint is (\S+)\nresume with: npx llmfs train --resume --out (\S+)\n/.exec(
      stdout,
    );
  assert.ok(m, stdout);
  assert.equal(m[2], join(out, 'last'));
  assert.equal(stepOf(join(out, 'last')), Number(m[1]), 'saved at the step it stopped at');
  assert.match(stderr, /SIGINT: stopping after this step/);
  assert.doesNotMatch(stderr, /\n\s+at /);
  assert.ok(!existsSync(join(out, 'train.lock')));
  const r = cli(quick(data, out, '--resume', '--steps', String(Number(m[1]) + 2), '--quiet'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(stepOf(join(out, 'last')), Number(m[1]) + 2);
});

test('Ctrl-C twice during checkpoint saves: the second quits at once, and the last good checkpoint loads and resumes', async () => {
  const { dir, data } = setup();
  const out = join(dir, 'run');
  for (const delayMs of [0, 40]) {
    const run = await startLong(
      data,
      out,
      '--eval-interval',
      '1',
      '--quiet',
      ...(existsSync(join(out, 'run.json')) ? ['--resume'] : []),
    );
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, delayMs));
    run.child.kill('SIGINT');
    const { code, signal } = await run.exited;
    assert.ok(code === 130 || signal === 'SIGINT', `exit ${code} ${signal}: ${run.output().stderr}`);
    assert.ok(stepOf(join(out, 'last')) >= 1);
  }
  const at = stepOf(join(out, 'last'));
  const r = cli(quick(data, out, '--resume', '--steps', String(at + 2), '--quiet'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(stepOf(join(out, 'last')), at + 2);
});

test('--resume: flags that may change are applied and printed; the progress shows the saved total; a finished run says so', () => {
  const { dir, data } = setup();
  const out = join(dir, 'run');
  assert.equal(cli(quick(data, out, '--steps', '10', '--eval-interval', '5', '--quiet')).status, 0);
  const more = cli([
    'train',
    '--out',
    out,
    '--resume',
    '--steps',
    '14',
    '--lr',
    '2e-3',
    '--eval-interval',
    '2',
  ]);
  assert.equal(more.status, 0, more.stderr);
  assert.match(
    more.stderr,
    /resume: --steps 14 \(was 10\)\nresume: --lr 0\.002 \(was 0\.001\)\nresume: --eval-interval 2 \(was 5\)/,
  );
  assert.match(more.stderr, /the cosine decay ended at step 10/);
  assert.match(more.stderr, /step 14\/14 \[/, 'the bar counts to the new total');
  assert.match(more.stderr, /eval at step 12:/);
  const saved = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(saved.train.lr, 2e-3, 'run.json keeps the change for the next resume');
  // Resuming the finished run: says so, trains nothing, exit 0, no NaN.
  const again = cli(['train', '--out', out, '--resume']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(
    again.stdout,
    /has finished: step 14 of 14, best loss \d\.\d{4}; nothing to do\. To train further: npx llmfs train --resume --out \S+ --steps 28/,
  );
  assert.doesNotMatch(again.stdout + again.stderr, /NaN/);
});

test('--val-fraction 0 says once that best/ follows the train loss, and prints no NaN', () => {
  const { dir, data } = setup();
  const r = cli(quick(data, join(dir, 'run'), '--steps', '4', '--eval-interval', '2', '--val-fraction', '0'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stderr.match(/no validation split \(--val-fraction 0\): .* best\/ is chosen by it/g)?.length,
    1,
  );
  assert.doesNotMatch(r.stdout + r.stderr, /NaN/);
  assert.match(r.stdout, /no validation split: best \d\.\d{4} by train loss/);
});

test('llmfs start: each run starts afresh and says so; --resume of a finished run says so and exits 0', () => {
  const { dir } = setup();
  const out = join(dir, 'start');
  const args = ['start', '--preset', 'tiny', '--max-chars', '20000', '--steps', '2', '--eval-interval', '2'];
  const first = cli([...args, '--out', out]);
  assert.equal(first.status, 0, first.stderr);
  assert.doesNotMatch(first.stdout, /replacing/);
  const second = cli([...args, '--out', out]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /replacing the earlier run there/);
  const again = cli(['start', '--out', out, '--resume']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(
    again.stdout,
    /has finished: step 2 of 2.*To train further: npm start -- --resume --out \S+ --steps 4/,
  );
  assert.doesNotMatch(again.stdout, /NaN/);
});
