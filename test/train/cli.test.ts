// The train command from the outside: --help lists flags with defaults, unknown flags and bad
// values are one clear error line, and a short run prints a JSON summary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('llmfs train --help lists the flags with their defaults', () => {
  const r = run('train', '--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--steps <int>\s+optimizer steps \(default 2000/);
  assert.match(r.stdout, /--preset <string>.*\[tiny\|cpu-small\|gpt2/);
  assert.match(r.stdout, /--n-layer <int>/);
});

test('llmfs train: unknown flags and bad values give one error line and exit 1', () => {
  for (const [args, pattern] of [
    [['--stepz', '5'], /^error: train: unknown option --stepz/],
    [['--steps', 'many'], /^error: train: --steps must be a number, got 'many'/],
    [['--steps', '2.5'], /^error: train: --steps must be an integer/],
    [['--preset', 'huge'], /^error: train: --preset must be one of tiny, cpu-small/],
    [['--lr', '-1'], /^error: train: --lr must be a finite number > 0, got -1/],
    [['--data', '/nonexistent/file.txt'], /^error: data: \/nonexistent\/file\.txt does not exist/],
    [['--n-head', '3'], /^error: GPT config: nEmbd 128 must be divisible by nHead 3/],
  ] as [string[], RegExp][]) {
    const r = run('train', ...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim().split('\n').pop()!, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('llmfs train --json prints the summary: steps, losses, seconds, tokens/s, checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-cli-'));
  const data = join(dir, 'd.txt');
  writeFileSync(data, 'abcabcabd '.repeat(200));
  const r = run(
    'train',
    '--data',
    data,
    '--preset',
    'tiny',
    '--steps',
    '4',
    '--eval-interval',
    '2',
    '--eval-batches',
    '1',
    '--batch-size',
    '2',
    '--out',
    join(dir, 'o'),
    '--json',
    '--quiet',
    '--no-cache',
  );
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.steps, 4);
  for (const k of ['trainLoss', 'valLoss', 'seconds', 'tokensPerSecond']) assert.ok(Number.isFinite(s[k]), k);
  assert.match(s.checkpoint, /o\/(best|last)$/);
});
