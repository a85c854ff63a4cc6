// `llmfs diagnose generation` on the tiny HF GPT-2 fixture: --json carries the contract's keys
// (loop, period, unit, recommended) beside the whole report; bad input is one clear line each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseCommand } from '../../src/cli/diagnose.js';
import { LlmfsError } from '../../src/errors.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { loopingModel } from '../../src/exercises/catalog/ch14-helpers.js';

const FIXTURE = 'test/fixtures/hf-gpt2/tiny';
const TMP = mkdtempSync(join(tmpdir(), 'llmfs-diagnose-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const saved = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  try {
    return { code: (await diagnoseCommand.run(argv)) ?? 0, out, err: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, out, err: e.message };
  } finally {
    console.log = saved;
  }
}

test('--json: loop, period, unit and the recommended remedy, with the whole report', async () => {
  const r = await run([
    'generation',
    '--model',
    FIXTURE,
    '--prompt',
    'hello world',
    '--max-new-tokens',
    '24',
    '--json',
    '--report',
    join(TMP, 'g.html'),
  ]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.html, join(TMP, 'g.html'));
  assert.match(readFileSync(j.html, 'utf8'), /^<!DOCTYPE html>[\s\S]*Remedies[\s\S]*<\/html>$/);
  assert.equal(typeof j.loop, 'boolean');
  assert.equal(j.unit, 'tokens');
  assert.equal(j.loop, j.report.loop !== null);
  assert.equal(j.period, j.report.loop?.period ?? null);
  assert.ok('recommended' in j);
  assert.equal(j.ids.length, 24);
  assert.ok(j.remedies.length >= 8);
});

test('bad input is one clear line', async () => {
  const cases: [string[], RegExp][] = [
    [['generation', '--model', FIXTURE], /give the text to continue with --prompt/],
    [['generation', '--prompt', 'x'], /--model is required/],
    [
      ['generation', '--model', FIXTURE, '--prompt', 'x', '--max-new-tokens', '5000'],
      /exceed the model's context/,
    ],
    [
      ['generation', '--model', FIXTURE, '--prompt', 'x', '--temperature', '0.5'],
      /applies to --strategy sample/,
    ],
    [['generation', '--model', FIXTURE, '--prompt', 'x', '--max-new-tokens', '0'], /must be >= 1/],
    [['inspect'], /unknown sub-command 'inspect'/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err, re);
  }
});

test('the HTML report goes to the current directory by default, and its path is printed', async () => {
  const fixture = join(process.cwd(), FIXTURE);
  const here = process.cwd();
  process.chdir(TMP);
  try {
    const r = await run(['generation', '--model', fixture, '--prompt', 'hi', '--max-new-tokens', '8']);
    assert.equal(r.code, 0, r.err);
    const file = join(TMP, 'diagnose-generation.html');
    assert.ok(existsSync(file));
    assert.match(r.out, new RegExp(`report: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n$`));
  } finally {
    process.chdir(here);
  }
});

test('a character-level model: the period is in characters, and the loop is found', async () => {
  const dir = join(TMP, 'char-looper');
  saveModel(dir, loopingModel(3), { tokenizer: new CharTokenizer([...'abcdefgh']) });
  const r = await run([
    'generation',
    '--model',
    dir,
    '--prompt',
    'a',
    '--max-new-tokens',
    '30',
    '--json',
    '--report',
    join(TMP, 'c.html'),
  ]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.unit, 'characters');
  assert.equal(j.loop, true);
  assert.equal(j.period, 3);
  assert.equal(j.text, 'bca'.repeat(10));
  assert.match(readFileSync(join(TMP, 'c.html'), 'utf8'), /a cycle of 3 characters/);
});
