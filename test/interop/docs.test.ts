// Chapter 9's GPT-2 sections: the runnable example's output and the `llmfs eval` report shown
// in the chapter are what the code prints today.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

const chapter = readFileSync(join(ROOT, 'docs', '09-pretrained-weights.md'), 'utf8');

test('docs: 09-hf-gpt2.ts runs and its output is printed verbatim in chapter 9', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'docs', 'examples', '09-hf-gpt2.ts')],
    { encoding: 'utf8', cwd: ROOT },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trimEnd();
  assert.match(out, /largest difference from PyTorch: under 1e-5/);
  assert.match(out, /reloaded logits identical: true/);
  assert.ok(chapter.includes(out), `the chapter's copy of the example's output is stale:\n${out}`);
});

test("docs: chapter 9's llmfs eval report is what the command prints (apart from the time)", () => {
  const args = [
    'eval',
    '--model',
    'test/fixtures/hf-gpt2/tiny',
    '--data',
    'test/fixtures/hf-gpt2/eval.txt',
    '--stride',
    '12',
  ];
  assert.ok(chapter.includes(`$ npx llmfs ${args.join(' ')}\n`));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'llmfs.mjs'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(r.status, 0, r.stderr);
  for (const line of r.stdout
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('time:')))
    assert.ok(chapter.includes(`\n${line}\n`), `missing: ${line}`);
});
