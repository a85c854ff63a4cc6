// Checkpoints: resuming reproduces an uninterrupted run bit for bit; a damaged checkpoint
// gives a clear error; a training process killed at any moment leaves a loadable checkpoint.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runTrainJob, type TrainJobOptions } from '../../src/cli/train-job.js';
import { loadModel } from '../../src/io/model-checkpoint.js';
import { LlmfsError } from '../../src/errors.js';
import { quickConfig } from '../helpers/train-config.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';

// Training-heavy tests run on the fast backend (the kernel tests prove it equals the reference).
await useFastBackend();

function setup(): { dir: string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-resume-'));
  const data = join(dir, 'text.txt');
  writeFileSync(
    data,
    'It was the best of times, it was the worst of times, it was the age of wisdom. '.repeat(40),
  );
  return { dir, data };
}

function job(data: string, out: string, steps: number, resume: boolean): TrainJobOptions {
  return {
    data,
    preset: 'tiny',
    tokenizer: 'char',
    modelOverrides: { blockSize: 16, dropout: 0.1 },
    valFraction: 0.1,
    out,
    resume,
    cacheDir: null,
    train: {
      ...quickConfig,
      steps,
      decaySteps: 20,
      warmupSteps: 4,
      evalInterval: 5,
      evalBatches: 2,
      batchSize: 4,
    },
  };
}

test('resume: 10 steps, save, resume to 20 gives the same losses as 20 uninterrupted steps (bit-identical)', async () => {
  const { dir, data } = setup();
  const full = await runTrainJob(job(data, join(dir, 'a'), 20, false));
  const half = await runTrainJob(job(data, join(dir, 'b'), 10, false));
  const rest = await runTrainJob(job(data, join(dir, 'b'), 20, true));
  assert.equal(full.losses.length, 20);
  assert.deepEqual([...half.losses, ...rest.losses], full.losses);
  assert.deepEqual(
    rest.model.stateDict()['h.0.attn.c_attn.weight'].toList(),
    full.model.stateDict()['h.0.attn.c_attn.weight'].toList(),
  );
  // The log holds every step of both halves, and the loss curve was drawn.
  const logged = readFileSync(join(dir, 'b', 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => 'loss' in r);
  assert.equal(logged.length, 20);
  assert.match(readFileSync(join(dir, 'b', 'loss.svg'), 'utf8'), /^<svg[\s\S]*validation[\s\S]*<\/svg>$/);
});

test('a corrupted checkpoint gives one clear error naming the file', async () => {
  const { dir, data } = setup();
  const out = join(dir, 'c');
  await runTrainJob(job(data, out, 5, false));
  writeFileSync(join(out, 'last', 'model.safetensors'), new Uint8Array([200, 1, 0, 0, 0, 0, 0, 0, 123]));
  assert.throws(
    () => loadModel(join(out, 'last')),
    (e: Error) => e instanceof LlmfsError && /model\.safetensors: header length 456 exceeds/.test(e.message),
  );
  await assert.rejects(
    runTrainJob(job(data, out, 10, true)),
    (e: Error) => e instanceof LlmfsError && /model\.safetensors/.test(e.message),
  );
  writeFileSync(join(out, 'best', 'training_state.json'), '{"step": 3,');
  assert.throws(() => loadModel(join(out, 'best')), /training_state\.json: not valid JSON/);
});

test('a training run killed during checkpoint writes leaves a loadable checkpoint that resumes', async () => {
  const { dir, data } = setup();
  const out = join(dir, 'k');
  const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
  for (const delayMs of [0, 37, 111]) {
    const child = spawn(
      process.execPath,
      [
        bin,
        'train',
        '--data',
        data,
        '--preset',
        'tiny',
        '--block-size',
        '16',
        '--batch-size',
        '2',
        '--steps',
        '100000',
        '--eval-interval',
        '1',
        '--eval-batches',
        '1',
        '--out',
        out,
        '--quiet',
        '--no-cache',
        ...(existsSync(join(out, 'last')) ? ['--resume'] : []),
      ],
      { stdio: 'ignore' },
    );
    // Wait until a checkpoint exists, then kill at a varying moment during the saves that follow.
    const t0 = Date.now();
    while (!existsSync(join(out, 'last', 'training_state.json')) && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200 + delayMs));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const saved = loadModel(join(out, 'last'));
    assert.ok(saved.trainingState && (saved.trainingState.step as number) >= 1);
  }
  // And it resumes from there.
  const at = loadModel(join(out, 'last')).trainingState!.step as number;
  // As `--resume --steps N` does: the other settings (batch size 2, no dropout) are the saved run's.
  const r = await runTrainJob({ ...job(data, out, at + 2, true), asked: new Set(['steps']) });
  assert.equal(r.steps, at + 2);
  assert.equal(r.losses.length, 2);
});

test('resume: a stopped run continues to its saved total; the log keeps one line per step; a finished run writes nothing; a damaged training_state.json is one clear error', async () => {
  const { dir, data } = setup();
  const out = join(dir, 'r');
  // Stopped (as by Ctrl-C) after step 6 of 10: the loop saves last/ at step 6 on its way out.
  const stop = new AbortController();
  const first = await runTrainJob({
    ...job(data, out, 10, false),
    signal: stop.signal,
    onStep: (info) => void (info.step === 6 && stop.abort()),
  });
  assert.equal(first.stopped, true);
  assert.equal(first.steps, 6);
  assert.equal(loadModel(join(out, 'last')).trainingState!.step, 6);
  // As if the run had gone on past its last checkpoint (step 6) and been killed at step 8.
  appendFileSync(join(out, 'log.jsonl'), '{"step":7,"loss":1}\n{"step":8,"loss":1}\n{"step":9,"lo');
  let total = 0;
  const r = await runTrainJob({
    ...job(data, out, 999, true),
    asked: new Set<string>(),
    onStart: (info) => void (total = info.config.steps),
  });
  assert.equal(total, 10, 'onStart reports the saved total (the progress bar shows it)');
  assert.equal(r.steps, 10);
  assert.equal(r.losses.length, 4);
  const logged = readFileSync(join(out, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((x) => 'loss' in x);
  assert.deepEqual(
    logged.map((x) => x.step),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  // Resuming the finished run: says so (finished), trains nothing, writes nothing, no NaN losses.
  const before = readFileSync(join(out, 'log.jsonl'), 'utf8');
  const done = await runTrainJob({ ...job(data, out, 999, true), asked: new Set<string>() });
  assert.equal(done.finished, true);
  assert.equal(done.steps, 10);
  assert.ok(Number.isFinite(done.trainLoss) && Number.isFinite(done.valLoss), 'the last evaluation, not NaN');
  assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8'), before);
  for (const bad of ['{}', '[]', '{"step": 3, "bestValLoss": 1, "samplerRng": {"s": [1, 2, 3]}}']) {
    writeFileSync(join(out, 'last', 'training_state.json'), bad);
    await assert.rejects(
      runTrainJob(job(data, out, 8, true)),
      (e: Error) => e instanceof LlmfsError && /training_state\.json: /.test(e.message),
    );
  }
});
