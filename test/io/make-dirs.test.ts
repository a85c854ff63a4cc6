// makeDirs: `mkdir -p` one level at a time (Node's recursive mkdirSync never returns under /proc,
// where creating fails with ENOENT below an existing parent).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../../src/io/atomic-write.js';
import { LlmfsError } from '../../src/errors.js';

test('makeDirs makes the missing parents and returns the first one it made', () => {
  const root = mkdtempSync(join(tmpdir(), 'llmfs-mkdirs-'));
  assert.equal(makeDirs(join(root, 'a', 'b', 'c')), join(root, 'a'));
  assert.ok(existsSync(join(root, 'a', 'b', 'c')));
  assert.equal(makeDirs(join(root, 'a', 'b')), null, 'nothing to make');
});

test('makeDirs: a file in the way, or a place where nothing can be made, is one LlmfsError', () => {
  const root = mkdtempSync(join(tmpdir(), 'llmfs-mkdirs-'));
  writeFileSync(join(root, 'f'), 'x');
  assert.throws(
    () => makeDirs(join(root, 'f', 'x'), 'out'),
    (e: unknown) => e instanceof LlmfsError,
  );
  if (existsSync('/proc/self')) {
    assert.throws(
      () => makeDirs('/proc/llmfs-no-such/x', 'out'),
      /out \/proc\/llmfs-no-such\/x: cannot create/,
    );
  }
});
