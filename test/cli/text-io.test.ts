// One text reader, one tokenizer resolver, one atomic writer: the CLI's file idioms, each in
// one place (io/text-data.ts, io/atomic-write.ts), and what they promise.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTextSource, resolveTokenizer } from '../../src/io/text-data.js';
import { saveTokenizer, loadTokenizer } from '../../src/io/tokenizer-files.js';
import { defaultCorpus } from '../../src/data/index.js';
import { LlmfsError } from '../../src/errors.js';

test('resolveTokenizer: char without a text uses the default corpus; unk maps unseen chars', async () => {
  const a = await resolveTokenizer('char');
  const b = await resolveTokenizer('char', defaultCorpus());
  assert.equal(a.vocabSize, b.vocabSize);
  assert.throws(() => a.encode('日'), LlmfsError);
  const u = await resolveTokenizer('char', 'abc', { unk: true });
  assert.deepEqual(u.encode('a日'), [u.encode('a')[0], u.encode('日')[0]]);
  assert.equal(u.decode(u.encode('b')), 'b');
});

test('saveTokenizer writes through the atomic writer: no temporary file is left beside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-tok-'));
  const tok = await resolveTokenizer('char', 'hello world');
  saveTokenizer(tok, dir, ['json']);
  saveTokenizer(tok, dir, ['json']); // replacing an existing file
  assert.deepEqual(readdirSync(dir), ['tokenizer.json']);
  assert.equal(loadTokenizer(dir).decode(tok.encode('hello')), 'hello');
});

test('readTextSource: an unreadable path is one error line naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-read-'));
  const sub = join(dir, 'd.txt');
  mkdirSync(sub); // a folder named like a file, inside a folder
  writeFileSync(join(dir, 'a.txt'), 'x');
  assert.throws(() => readTextSource(join(dir, 'a.txt', 'b')), /data: .*a\.txt\/b does not exist/);
  assert.throws(() => readTextSource(dir), /data: cannot read .*d\.txt \(EISDIR\)/);
});
