// `llmfs train` reads its data through the strict text reader: binary or invalid UTF-8 is one error
// line before any run directory exists, and --encoding latin1 (or utf8-lossy) reads it on purpose;
// a checkpoint whose weights are NaN is refused on --resume.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from '../../src/io/model-checkpoint.js';

const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
const llmfs = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LLMFS_BACKEND: 'js' },
  });
const quick = [
  '--preset',
  'tiny',
  '--block-size',
  '16',
  '--batch-size',
  '2',
  '--steps',
  '2',
  '--eval-batches',
  '1',
];

test('train: invalid UTF-8 data is refused before the run exists; --encoding latin1 trains on it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-enc-'));
  const data = join(dir, 'latin1.txt');
  writeFileSync(data, Buffer.from('caf\xe9 au lait, d\xe9j\xe0 vu. '.repeat(60), 'latin1'));
  const bad = llmfs('train', '--data', data, ...quick, '--out', join(dir, 'a'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error: .*latin1\.txt.*UTF-8/m);
  assert.ok(!/\n\s+at /.test(bad.stderr), 'no stack trace');
  assert.ok(!existsSync(join(dir, 'a')));
  const ok = llmfs('train', '--data', data, '--encoding', 'latin1', ...quick, '--out', join(dir, 'b'));
  assert.equal(ok.status, 0, ok.stderr);
  // resume keeps the encoding; asking for another one conflicts with the saved run
  const other = llmfs('train', '--out', join(dir, 'b'), '--resume', '--encoding', 'utf8-lossy');
  assert.equal(other.status, 1);
  assert.match(other.stderr, /--encoding/);
});

test('train --resume: a checkpoint holding NaN weights is one error line naming the tensor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-nan-'));
  const data = join(dir, 'text.txt');
  writeFileSync(data, 'the quick brown fox jumps over the lazy dog. '.repeat(60));
  const out = join(dir, 'run');
  assert.equal(llmfs('train', '--data', data, ...quick, '--out', out).status, 0);
  const last = join(out, 'last');
  const saved = loadModel(last);
  saved.model.namedParameters()[0][1].data[3] = NaN;
  const optimizer = readFileSync(join(last, 'optimizer.safetensors'));
  saveModel(last, saved.model, {
    tokenizer: saved.tokenizer,
    trainingState: saved.trainingState ?? undefined,
    extraFiles: { 'optimizer.safetensors': optimizer },
  });
  const r = llmfs('train', '--out', out, '--resume', '--steps', '4');
  assert.equal(r.status, 1);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0], /NaN|not finite|non-finite/i);
});
