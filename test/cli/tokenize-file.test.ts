// `llmfs tokenize --file` reads through the strict text reader; --file-encoding (not --encoding,
// which names the tokenizer here) reads a latin-1 or damaged file on purpose.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
const llmfs = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LLMFS_BACKEND: 'js' },
  });

test('tokenize --file: invalid UTF-8 is one error naming --file-encoding; latin1 reads it', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'llmfs-tok-')), 'latin1.txt');
  writeFileSync(file, Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café\n" in latin-1
  const bad = llmfs('tokenize', '--file', file);
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /byte 0xE9 at offset 3.*--file-encoding latin1/);
  const ok = llmfs('tokenize', '--file', file, '--file-encoding', 'latin1', '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { pieces: string[] }).pieces.join(''), 'café\n');
});
