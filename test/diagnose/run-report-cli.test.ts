// `train --diagnostics` writes one health record at step 1 and at each evaluation, a resume trims
// and continues them, a fresh run drops them; `diagnose run DIR` reads the run back, prints its
// findings and writes a report with the per-layer figures; bad input is one clear line each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrainJob, type TrainJobOptions } from '../../src/cli/train-job.js';
import { runDiagnoseRun } from '../../src/cli/diagnose-run.js';
import { trainFromArgs } from '../../src/cli/train.js';
import { LlmfsError } from '../../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'llmfs-health-'));
const data = join(tmp, 'data.txt');
writeFileSync(data, 'the cat sat on the mat; the dog sat on the log. '.repeat(40));

function job(out: string, steps: number, extra: Partial<TrainJobOptions> = {}): TrainJobOptions {
  return {
    data,
    preset: 'tiny',
    tokenizer: 'char',
    modelOverrides: { blockSize: 16, nLayer: 2 },
    train: { steps, batchSize: 2, evalInterval: 5, evalBatches: 1, warmupSteps: 2 },
    valFraction: 0.2,
    out,
    resume: false,
    cacheDir: null,
    ...extra,
  };
}
const stepsIn = (dir: string) =>
  readFileSync(join(dir, 'diagnostics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).step);

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  const saved = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  try {
    return { code: runDiagnoseRun(argv), out, err: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, out, err: e.message };
  } finally {
    console.log = saved;
  }
}

test('train --diagnostics: records at step 1 and each evaluation; resume continues them; a fresh run drops them', async () => {
  const out = join(tmp, 'run');
  await runTrainJob(job(out, 10, { diagnostics: true }));
  assert.deepEqual(stepsIn(out), [1, 5, 10]);
  const first = JSON.parse(readFileSync(join(out, 'diagnostics.jsonl'), 'utf8').split('\n')[0]);
  assert.deepEqual(
    first.groups.map((g: { name: string }) => g.name),
    ['embeddings', 'h.0', 'h.1', 'head'],
  );
  assert.equal(first.residual.length, 3);
  assert.equal(first.layers.length, 2);
  // A record written after the checkpoint (a killed run) is dropped on resume; the flag is implied.
  appendFileSync(join(out, 'diagnostics.jsonl'), `${JSON.stringify({ ...first, step: 12 })}\n`);
  await runTrainJob({ ...job(out, 20), resume: true, asked: new Set(['steps']) });
  assert.deepEqual(stepsIn(out), [1, 5, 10, 15, 20]);

  const r = run([out, '--report', join(tmp, 'r.html')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /20 of 20 steps/);
  assert.match(r.out, /report: .*r\.html/);
  const html = readFileSync(join(tmp, 'r.html'), 'utf8');
  for (const title of ['update / weight ratio', 'dead MLP units', 'attention entropy', 'residual stream std'])
    assert.ok(html.includes(title), title);
  assert.ok((html.match(/<svg/g) ?? []).length >= 6);
  assert.ok(html.includes('<table'));
  const j = JSON.parse(run([out, '--json', '--report', join(tmp, 'r2.html')]).out);
  assert.equal(j.last.step, 20);
  assert.ok(Array.isArray(j.findings) && j.findings.length > 0);

  await runTrainJob(job(out, 5, { force: true }));
  assert.equal(existsSync(join(out, 'diagnostics.jsonl')), false);
  const plain = run([out, '--report', join(tmp, 'r3.html')]);
  assert.match(plain.out, /no diagnostics\.jsonl: trained without --diagnostics/);
});

test('bad input is one clear line', () => {
  const runDir = join(tmp, 'bad');
  mkdirSync(join(runDir, 'ckpt'), { recursive: true });
  writeFileSync(join(runDir, 'ckpt', 'config.json'), '{}');
  writeFileSync(join(tmp, 'file.txt'), 'x');
  const cases: [string[], RegExp][] = [
    [[], /give the run directory/],
    [[join(tmp, 'nope')], /nope not found/],
    [[join(tmp, 'file.txt')], /is a file, not a run directory/],
    [[join(runDir, 'ckpt')], /no run\.json \(it is a checkpoint; give the run directory above it\)/],
    [['a', 'b'], /one run directory at a time/],
  ];
  for (const [argv, re] of cases) {
    const r = run(argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err, re);
  }
  writeFileSync(join(runDir, 'run.json'), '{"train": {"steps": 10}}');
  assert.match(run([runDir]).err, /has no "train" settings/);
  writeFileSync(
    join(runDir, 'run.json'),
    '{"train": {"steps": 10, "lr": 0.001, "warmupSteps": 0, "gradClip": 1}}',
  );
  assert.match(run([runDir]).err, /log\.jsonl not found/);
  writeFileSync(
    join(runDir, 'log.jsonl'),
    '{"step":1,"loss":4}\n{"step":2,"loss":3.9}\n{"step":3,"loss":\n{"step":4}\n',
  );
  assert.match(run([runDir]).err, /log\.jsonl: line 3 is not valid JSON/);
  writeFileSync(join(runDir, 'log.jsonl'), '{"step":1,"loss":4}\n[1,2]\n');
  assert.match(run([runDir]).err, /line 2 is not an object with a numeric "step"/);
  // A last line cut by a killed run is skipped, not an error.
  writeFileSync(join(runDir, 'log.jsonl'), '{"step":1,"loss":4}\n{"step":2,"loss":3.9}\n{"step":3,"lo');
  assert.equal(run([runDir, '--report', join(tmp, 'cut.html')]).code, 0);
  writeFileSync(join(runDir, 'diagnostics.jsonl'), '{"step":1}\n');
  assert.match(run([runDir]).err, /record 1 \(step 1\) lacks groups\/residual\/layers/);
});

test('llmfs train --diagnostics turns it on; --resume --no-diagnostics turns it off', async () => {
  const out = join(tmp, 'flag');
  const argv = [
    '--data',
    data,
    '--preset',
    'tiny',
    '--block-size',
    '16',
    '--n-layer',
    '1',
    '--batch-size',
    '2',
  ];
  const more = ['--eval-interval', '3', '--eval-batches', '1', '--out', out, '--quiet', '--no-cache'];
  const quiet = { write: () => {} };
  await trainFromArgs([...argv, ...more, '--steps', '3', '--diagnostics'], quiet);
  assert.deepEqual(stepsIn(out), [1, 3]);
  await trainFromArgs(['--resume', '--out', out, '--steps', '6', '--quiet', '--no-cache'], quiet);
  assert.deepEqual(stepsIn(out), [1, 3, 6]);
  await trainFromArgs(
    ['--resume', '--out', out, '--steps', '9', '--no-diagnostics', '--quiet', '--no-cache'],
    quiet,
  );
  assert.equal(existsSync(join(out, 'diagnostics.jsonl')), false);
});
