// `llmfs finetune classify` then `llmfs classify` from the outside, on the tiny HF GPT-2 fixture:
// training writes a directory that classify reads back (the same probabilities as evaluation),
// and bad input (missing column, unknown label, empty data, no such model) is one error line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { classifyCommand } from '../../src/cli/classify.js';

const fixture = new URL('../fixtures/hf-gpt2/tiny', import.meta.url).pathname;
const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
const llmfs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-classify-'));
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      JSON.stringify(
        i % 2 ? { text: `win money now ${i}`, label: 'spam' } : { text: `meeting at ${i}`, label: 'ham' },
      ),
    ).join('\n');
  writeFileSync(join(dir, 'train.jsonl'), rows(24));
  writeFileSync(join(dir, 'val.jsonl'), rows(6));
  writeFileSync(join(dir, 'test.csv'), 'text,label\n"win, money",spam\nmeeting,ham\n');
  return dir;
}

/** classifyCommand is registered in commands.ts by the lead; here it runs directly, output captured. */
async function classify(argv: string[]): Promise<{ code: number | void; stdout: string }> {
  let stdout = '';
  const log = console.log;
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  try {
    return { code: await classifyCommand.run(argv), stdout };
  } finally {
    console.log = log;
  }
}

test('finetune classify trains, reports val and test metrics, and classify reads the result', async () => {
  const data = dataDir();
  const out = join(data, 'out');
  for (const mode of [
    ['--train', 'all'],
    ['--train', 'last-blocks', '--last-blocks', '1'],
  ]) {
    const r = llmfs(
      'finetune',
      'classify',
      '--model',
      fixture,
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--batch-size',
      '8',
      '--lr',
      '1e-3',
      ...mode,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /classifier: 2 labels \(ham, spam\), train 24, val 6, test 2/);
    assert.match(r.stdout, /epoch 1: train loss \d\.\d{4}/);
    assert.match(r.stdout, /val: accuracy [\d.]+% \(\d\/6\)/);
    assert.match(r.stdout, /test: accuracy [\d.]+% \(\d\/2\)\nclass\s+precision\s+recall\s+support/);
    assert.match(r.stdout, /confusion \(rows: true, columns: predicted\)\n\s+ham\s+spam/);
  }
  assert.ok(existsSync(join(out, 'classifier.json')) && existsSync(join(out, 'classifier.safetensors')));
  const c = await classify(['--model', out, '--json', 'win money now', 'meeting at noon']);
  assert.equal(c.code, 0);
  const preds = JSON.parse(c.stdout) as { label: string; probs: Record<string, number> }[];
  assert.equal(preds.length, 2);
  for (const p of preds) {
    assert.ok(['ham', 'spam'].includes(p.label));
    assert.ok(Math.abs(p.probs.ham + p.probs.spam - 1) < 1e-5);
    assert.equal(p.label, p.probs.spam > p.probs.ham ? 'spam' : 'ham');
  }
  const plain = await classify(['--model', out, 'win money now']);
  assert.match(plain.stdout, /^(ham|spam)\t\(ham \d+\.\d%, spam \d+\.\d%\)\t"win money now"\n$/);
});

test('finetune classify: bad input is one clear error line', async () => {
  const data = dataDir();
  const bad = join(data, 'bad.jsonl');
  const empty = join(data, 'empty.csv');
  writeFileSync(bad, '{"text":"a","label":"spam"}\n{"body":"b","label":"ham"}\n');
  writeFileSync(empty, 'text,label\n');
  const base = ['finetune', 'classify', '--model', fixture, '--out', join(data, 'o')];
  for (const [args, pattern] of [
    [['--data', bad], /^error: .*bad\.jsonl:2: no column 'text' \(keys: body, label\)$/],
    [['--data', empty], /^error: .*empty\.csv: empty data set \(a header but no rows\)$/],
    [
      ['--data', data, '--labels', 'ham,eggs'],
      /^error: .*train\.jsonl:2: unknown label 'spam' \(expected one of: ham, eggs\)$/,
    ],
    [['--data', data, '--label-column', 'kind'], /^error: .*train\.jsonl:1: no column 'kind'/],
    [['--data', join(data, 'nope')], /^error: data .*nope: not found$/],
  ] as [string[], RegExp][]) {
    const r = llmfs(...base, ...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  await assert.rejects(classify(['--model', fixture, 'x']), /has no classifier\.json/);
});
