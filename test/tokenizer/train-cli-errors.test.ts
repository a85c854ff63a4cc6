// `llmfs tokenizer train` faults are one error line, found before any training: --out naming a
// file or an uncreatable path, a negative --min-frequency, stray arguments, binary data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'llmfs.mjs');
const train = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'tokenizer', 'train', ...args], { encoding: 'utf8' });

function oneLine(r: ReturnType<typeof train>, re: RegExp): void {
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at |Error:/m, 'no stack trace');
  assert.doesNotMatch(r.stderr, /training on/, 'refused before reading the data');
  assert.match(r.stderr, re);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error: ')).length, 1);
}

test('tokenizer train: --out naming a file, or a path under a file, is one error line before training', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-toktrain-'));
  const data = join(dir, 'data.txt');
  writeFileSync(data, 'the cat sat on the mat '.repeat(20));
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  oneLine(
    train('--data', data, '--out', file),
    /^error: tokenizer train: --out .*file: is a file, not a directory/m,
  );
  oneLine(
    train('--data', data, '--out', join(file, 'sub')),
    /cannot be created: .*file is a file, not a directory/,
  );
  if (process.getuid?.() !== 0) {
    // Permissions do not bind root; the path-under-a-file case above covers it there.
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    oneLine(train('--data', data, '--out', join(ro, 'tok')), /cannot write into .*ro \(EACCES\)/);
  }
  assert.deepEqual(readdirSync(dir).sort(), [
    'data.txt',
    'file',
    ...(process.getuid?.() !== 0 ? ['ro'] : []),
  ]);
});

test('tokenizer train: bad values and stray arguments are refused; binary data names the byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-toktrain-'));
  const out = join(dir, 'tok');
  oneLine(train('--out', out, '--min-frequency', '-1'), /--min-frequency must be an integer >= 1, got -1/);
  oneLine(train('--out', out, '--min-frequency', '0'), /--min-frequency must be an integer >= 1, got 0/);
  oneLine(train('--out', out, '--max-chars', '-5'), /--max-chars must be a positive integer, got -5/);
  oneLine(train('--out', out, '--vocab-size', '100'), /--vocab-size must be at least 257/);
  oneLine(train('--out', out, 'corpus.txt'), /unexpected argument 'corpus\.txt'/);
  oneLine(train('--out', ''), /--out is empty/);
  oneLine(train('--out', out, '--data', ''), /data: the path is empty/);
  const exe = join(dir, 'exe');
  writeFileSync(exe, Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
  const r = train('--out', out, '--data', exe);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error: data: .*exe looks binary, not text \(a NUL byte at offset 7\)/m);
  assert.equal(existsSync(out), false, 'nothing written');
  const ok = train('--out', out, '--data', exe, '--encoding', 'latin1', '--vocab-size', '258');
  assert.equal(ok.status, 0, ok.stderr);
});
