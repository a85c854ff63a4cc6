// Training data from disk: a folder of .txt files, the token cache (hit, and a damaged cache
// rebuilt), tokenizer choices, and clear errors for missing or empty data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTextSource, resolveTokenizer, tokenizeCached } from '../../src/io/text-data.js';
import { LlmfsError } from '../../src/errors.js';

test('a folder of .txt files is read in name order, joined by a blank line; other files are ignored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-data-'));
  writeFileSync(join(dir, 'b.txt'), 'second');
  writeFileSync(join(dir, 'a.txt'), 'first');
  writeFileSync(join(dir, 'notes.md'), 'ignored');
  assert.equal(readTextSource(dir).text, 'first\n\nsecond');
  assert.equal(readTextSource(dir, 3).text, 'fir');
  assert.ok(readTextSource(undefined, 100).text.length === 100);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  assert.throws(
    () => readTextSource(empty),
    (e: Error) => e instanceof LlmfsError && /has no \.txt files/.test(e.message),
  );
  assert.throws(() => readTextSource(join(dir, 'nope.txt')), /does not exist/);
});

test('token cache: the second encoding comes from the cache; a damaged cache file is rebuilt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-cache-'));
  const text = 'the quick brown fox jumps over the lazy dog '.repeat(20);
  const tok = await resolveTokenizer('char', text);
  const a = tokenizeCached(text, tok, dir);
  const b = tokenizeCached(text, tok, dir);
  assert.equal(a.cached, false);
  assert.equal(b.cached, true);
  assert.deepEqual(Array.from(b.tokens), Array.from(a.tokens));
  assert.ok(a.tokens instanceof Uint16Array);
  const [file] = readdirSync(dir);
  writeFileSync(join(dir, file), 'LLMFSTOK1\n2\n99999\nshort');
  const c = tokenizeCached(text, tok, dir);
  assert.equal(c.cached, false);
  assert.deepEqual(Array.from(c.tokens), Array.from(a.tokens));
  const g = await resolveTokenizer('gpt2', text);
  const d = tokenizeCached(text, g, dir);
  assert.equal(d.cached, false, 'another tokenizer is another cache entry');
  assert.equal(g.decode(Array.from(d.tokens)), text);
});
