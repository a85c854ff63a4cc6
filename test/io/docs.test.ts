// Chapter 9's runnable example: it runs, and its output appears verbatim in the chapter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

test('docs: 09-safetensors.ts runs and its output is printed verbatim in chapter 9', () => {
  const chapter = readFileSync(join(root, 'docs', '09-pretrained-weights.md'), 'utf8');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'docs', 'examples', '09-safetensors.ts')],
    { encoding: 'utf8', cwd: root },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trimEnd();
  assert.ok(out.includes('header length 999999 exceeds file size'));
  assert.ok(chapter.includes(out), `the chapter's copy of the example's output is stale:\n${out}`);
});
