// `llmfs train --init DIR`: a new run that starts from the weights and tokenizer of our
// checkpoint or of a Hugging Face GPT-2 directory, with a fresh optimizer. Flags that would
// contradict the source (architecture, --preset, --tokenizer, --resume) are one clear error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { loadModel } from '../../src/io/model-checkpoint.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'llmfs.mjs');
const hf = join(root, 'test', 'fixtures', 'hf-gpt2', 'tiny');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8' });

const dir = mkdtempSync(join(tmpdir(), 'llmfs-init-'));
const data = join(dir, 'd.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. '.repeat(60));
const quick = ['--data', data, '--batch-size', '2', '--eval-batches', '1', '--quiet', '--no-cache', '--json'];

/** Largest difference between two models' weights (by name). */
type Weights = Record<string, { data: ArrayLike<number> }>;
function maxDiff(a: Weights, b: Weights): number {
  let d = 0;
  for (const [k, t] of Object.entries(a)) {
    for (let i = 0; i < t.data.length; i++) d = Math.max(d, Math.abs(t.data[i] - b[k].data[i]));
  }
  return d;
}

test('train --init: continues from our checkpoint (weights, tokenizer, architecture), fresh run', () => {
  const src = join(dir, 'src');
  const r0 = run(...quick, '--preset', 'tiny', '--block-size', '16', '--steps', '3', '--out', src);
  assert.equal(r0.status, 0, r0.stderr);
  const out = join(dir, 'from-ours');
  // A learning rate so small that one step leaves the weights where they were loaded.
  const r = run(
    ...quick,
    '--init',
    join(src, 'last'),
    '--block-size',
    '16',
    '--steps',
    '1',
    '--lr',
    '1e-12',
    '--out',
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).steps, 1, 'steps count from 0: a fresh optimizer and schedule');
  const before = loadModel(join(src, 'last'));
  const after = loadModel(join(out, 'last'));
  assert.deepEqual(after.model.config, before.model.config);
  assert.deepEqual(after.tokenizer!.encode('the fox'), before.tokenizer!.encode('the fox'));
  assert.ok(maxDiff(after.model.stateDict(), before.model.stateDict()) < 1e-6);
  assert.equal((after.trainingState as { step: number }).step, 1);
  assert.equal(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).init, join(src, 'last'));
});

test('train --init: starts from a Hugging Face GPT-2 directory and its BPE tokenizer', () => {
  const out = join(dir, 'from-hf');
  const r = run(...quick, '--init', hf, '--steps', '1', '--lr', '1e-12', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const pre = loadPretrained(hf);
  const after = loadModel(join(out, 'last'));
  assert.equal(after.model.config.vocabSize, 289);
  assert.equal(after.model.config.blockSize, 48);
  assert.equal(after.tokenizer!.kind, pre.tokenizer!.kind);
  assert.deepEqual(after.tokenizer!.encode('the lazy dog'), pre.tokenizer!.encode('the lazy dog'));
  assert.ok(maxDiff(after.model.stateDict(), pre.model.stateDict()) < 1e-6);
});

test('train --init: contradicting flags are one clear error line', () => {
  for (const [args, pattern] of [
    [
      ['--block-size', '32'],
      /^error: train --init .*: --block-size 32 does not match the model there \(blockSize 48\)/,
    ],
    [['--n-layer', '3'], /--n-layer 3 does not match the model there \(nLayer 2\)/],
    [['--resume'], /^error: train: --init and --resume do not mix/],
    [
      ['--preset', 'tiny'],
      /^error: train: --init and --preset do not mix: the model and tokenizer come from /,
    ],
    [['--tokenizer', 'char'], /^error: train: --init and --tokenizer do not mix/],
  ] as [string[], RegExp][]) {
    const r = run(...quick, '--init', hf, '--steps', '1', '--out', join(dir, 'bad'), ...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[lines.length - 1], pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const r = run(...quick, '--init', join(dir, 'nowhere'), '--steps', '1', '--out', join(dir, 'bad'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /model .*nowhere: directory not found/);
});
