// `llmfs eval`'s input checks: --data must be text (or --encoding says how to read it), a char
// model's unknown characters need --unk, and stray arguments are refused, not ignored.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { GPT } from '../../src/model/gpt.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { ROOT, tempDir, TINY } from './helpers.js';

const llmfs = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'llmfs.mjs'), 'eval', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });

function oneLine(r: ReturnType<typeof llmfs>, re: RegExp): void {
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error: ')).length, 1, r.stderr);
  assert.match(r.stderr, re);
}

test('eval: a binary --data file is refused with its first bad byte; --encoding reads it anyway', () => {
  const dir = tempDir('eval-enc');
  const bin = join(dir, 'a.bin');
  writeFileSync(bin, Uint8Array.from([0x68, 0x69, 0x20, 0xff, 0x00, 0x61, 0x62, 0x63, 0x64]));
  oneLine(llmfs('--model', TINY, '--data', bin), /a\.bin is not valid UTF-8 text \(byte 0xFF at offset 3\)/);
  for (const enc of ['latin1', 'utf8-lossy']) {
    const r = llmfs('--model', TINY, '--data', bin, '--encoding', enc, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).predicted > 0);
  }
  oneLine(
    llmfs('--model', TINY, '--data', bin, '--encoding', 'utf16'),
    /--encoding must be one of utf8, utf8-lossy, latin1/,
  );
});

test('eval: stray arguments and bad numbers are refused before the model is loaded', () => {
  oneLine(llmfs('--model', TINY, 'data.txt'), /eval: unexpected argument 'data\.txt'/);
  oneLine(llmfs('--model', '/nonexistent', '--stride', '0'), /--stride must be a positive integer, got 0/);
  oneLine(llmfs('--model', '/nonexistent', '--batch-size', '-2'), /--batch-size must be a positive integer/);
});

test('eval: a char model with unknown characters suggests --unk, which leaves them out and says how many', () => {
  const dir = tempDir('eval-unk');
  const tok = CharTokenizer.fromCorpus('abc ');
  saveModel(
    join(dir, 'm'),
    new GPT({ vocabSize: tok.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }),
    {
      tokenizer: tok,
    },
  );
  const data = join(dir, 'd.txt');
  writeFileSync(data, 'abc cab éé bca');
  oneLine(
    llmfs('--model', join(dir, 'm'), '--data', data),
    /character "é" \(U\+00E9\) at index 8, which is not in the model's 4-character vocabulary; pass --unk/,
  );
  const r = llmfs('--model', join(dir, 'm'), '--data', data, '--unk');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /skipped: +2 characters outside the model's vocabulary/);
  assert.match(r.stdout, /tokens: +12 \(/);
  assert.match(r.stdout, /data: .*d\.txt, 16 bytes/, 'the file, é included');
  const j = JSON.parse(llmfs('--model', join(dir, 'm'), '--data', data, '--unk', '--json').stdout);
  assert.equal(j.skipped, 2);
  assert.equal(j.bytes, 10, '12 one-byte tokens, 2 windows of 8 leave 2 unscored');
});
