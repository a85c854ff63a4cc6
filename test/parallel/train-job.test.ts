import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrainJob, type TrainJobOptions } from '../../src/cli/train-job.js';
import { openRun } from '../../src/io/training-run.js';

const dir = mkdtempSync(join(tmpdir(), 'llmfs-dp-job-'));
const data = join(dir, 'text.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. '.repeat(300));

const job = (out: string, over: Partial<TrainJobOptions> = {}, train = {}): TrainJobOptions => ({
  data,
  preset: 'tiny',
  tokenizer: 'char',
  modelOverrides: { dropout: 0 },
  valFraction: 0.1,
  out: join(dir, out),
  resume: false,
  cacheDir: null,
  train: {
    steps: 8,
    decaySteps: 8,
    warmupSteps: 1,
    batchSize: 4,
    evalInterval: 4,
    evalBatches: 2,
    seed: 3,
    ...train,
  },
  ...over,
});

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('train job: --workers 2 ZeRO-1 for 4 steps, resumed with one worker to 8, is the one-worker run', async () => {
  const ref = await runTrainJob(job('one'));
  const first = await runTrainJob(job('dp', { workers: 2, zero: 1 }, { steps: 4 }));
  assert.equal(first.memory?.length, 2);
  // The run directory is a plain one: the one-worker path resumes it.
  const at = openRun(join(dir, 'dp')).loadCheckpoint();
  assert.equal(at.state.step, 4);
  const second = await runTrainJob(job('dp', { resume: true, asked: new Set(['steps']) }, { steps: 8 }));
  close([...first.losses, ...second.losses], ref.losses, 1e-5, 'losses');
  const want = ref.model.parameters();
  second.model.parameters().forEach((p, i) => close(p.data, want[i].data, 1e-4, `weights ${i}`));
  assert.equal(second.memory, undefined);
});

test('train job: --workers that cannot split the batch is refused before the run directory is written', async () => {
  await assert.rejects(runTrainJob(job('bad', { workers: 3, flagName: (k) => `--${k}` })), {
    message: 'train: --batchSize 4 does not divide among --workers 3: use a multiple of 3, such as 6',
  });
  assert.equal(existsSync(join(dir, 'bad', 'run.json')), false);
  await assert.rejects(runTrainJob(job('bad', { workers: 2, zero: 1 }, { optimizer: 'sgd' })), {
    message: "train: zero 1 shards AdamW's moments; use optimizer adamw",
  });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
