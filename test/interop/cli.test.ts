// The commands on a Hugging Face GPT-2 directory: `llmfs eval` prints PyTorch's numbers and
// `llmfs generate --strategy greedy` PyTorch's next tokens for the tiny fixture model.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVAL_TEXT, golden, ROOT, tempDir, TINY } from './helpers.js';

function llmfs(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'llmfs.mjs'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
}

test('cli: llmfs eval --json on the HF tiny model matches PyTorch, with disjoint windows and with --stride', () => {
  for (const [extra, want] of [
    [[], golden.eval.windows],
    [['--stride', '12', '--batch-size', '4'], golden.eval.stride],
  ] as const) {
    const r = llmfs('eval', '--model', TINY, '--data', EVAL_TEXT, '--json', ...extra);
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Record<string, number>;
    for (const k of ['tokens', 'predicted', 'bytes', 'stride'] as const) assert.equal(got[k], want[k], k);
    for (const k of ['loss', 'perplexity', 'bitsPerByte'] as const)
      assert.ok(Math.abs(got[k] - want[k]) <= 1e-5 * want[k], `${k}: ${got[k]} vs ${want[k]}`);
  }
});

test('cli: llmfs eval --data reads a folder of .txt files as train does, with progress on stderr', () => {
  const dir = join(tempDir('cli-folder'), 'texts');
  mkdirSync(dir);
  copyFileSync(EVAL_TEXT, join(dir, 'a.txt'));
  writeFileSync(join(dir, 'notes.md'), 'not text data: ignored');
  const r = llmfs('eval', '--model', TINY, '--data', dir, '--json');
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, number>;
  for (const k of ['tokens', 'predicted', 'bytes'] as const) assert.equal(got[k], golden.eval.windows[k], k);
  assert.ok(Math.abs(got.loss - golden.eval.windows.loss) <= 1e-5 * golden.eval.windows.loss);
  assert.match(r.stderr, /windows \[#+\] (\d+)\/\1 100%/, 'the one progress bar, a line per tenth on a pipe');
});

test('cli: llmfs eval prints a readable report, and by default scores a slice of the built-in corpus', () => {
  const r = llmfs('eval', '--model', TINY);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /data: +the built-in corpus \(first 10000 characters\), 10000 bytes/);
  assert.match(r.stdout, /tokens: +\d+ \(\d+ predicted, \d+ disjoint windows of 48\)/);
  assert.match(r.stdout, /perplexity: +[\d.]+\nbits per byte: +[\d.]+/);
});

test('cli: llmfs eval faults are one error line', () => {
  const cases: [string[], RegExp][] = [
    [[], /eval: --model DIR is required/],
    [
      ['--model', TINY, '--data', EVAL_TEXT, '--stride', '49'],
      /stride must be an integer from 1 to the context size 48, got 49/,
    ],
    [['--model', TINY, '--data', '/nonexistent.txt'], /data: \/nonexistent\.txt does not exist/],
    [['--model', '/nonexistent'], /model \/nonexistent: directory not found/],
  ];
  const bare = tempDir('cli');
  mkdirSync(join(bare, 'm'));
  writeFileSync(join(bare, 'm', 'config.json'), '{"model_type": "bert"}');
  cases.push([
    ['--model', join(bare, 'm')],
    /model_type "bert" is not supported; supported: our checkpoints \("llmfs-gpt"\) and Hugging Face GPT2LMHeadModel, LlamaForCausalLM/,
  ]);
  for (const [args, re] of cases) {
    const r = llmfs('eval', ...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('cli: llmfs generate --strategy greedy --json on the HF tiny model gives PyTorch greedy ids', () => {
  const r = llmfs(
    'generate',
    '--model',
    TINY,
    '--prompt',
    golden.greedy.prompt,
    '--strategy',
    'greedy',
    '--max-new-tokens',
    String(golden.greedy.ids.length),
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { promptIds: number[]; ids: number[] };
  assert.deepEqual(out.promptIds, golden.greedy.promptIds);
  assert.deepEqual(out.ids, golden.greedy.ids);
});
