// Chapter 8's examples run and their printed output appears verbatim in docs/08-generation.md.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const chapter = readFileSync(join(root, 'docs', '08-generation.md'), 'utf8');

for (const example of ['08-strategies.ts', '08-kv-cache.ts', '08-beam-search.ts']) {
  test(`docs: ${example} runs and its output is printed verbatim in chapter 8`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'docs', 'examples', example)], { encoding: 'utf8', cwd: root });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trimEnd();
    assert.ok(out.length > 0);
    assert.ok(chapter.includes(out), `the chapter's copy of ${example}'s output is stale:\n${out}`);
  });
}
