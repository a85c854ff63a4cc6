// `llmfs vision data`: writes the PNGs and a data.jsonl whose lines match the library's scenes
// (the same seed, the same scene), leaves no temporary files, and answers bad flags in one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visionCommand } from '../../src/cli/vision.js';
import { commands } from '../../src/cli/commands.js';
import { LlmfsError } from '../../src/errors.js';
import { readImageFile } from '../../src/io/image-files.js';
import { sceneExample } from '../../src/vision/scenes/dataset.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-vision-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const saved = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  try {
    return { code: (await visionCommand.run(argv)) ?? 0, out, err: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, out, err: e.message };
  } finally {
    console.log = saved;
  }
}

test('vision data writes N PNGs and a data.jsonl line for each, equal to the library scenes', async () => {
  const dir = join(TMP, 'test-set');
  const r = await run(['data', '--out', dir, '--count', '4', '--seed', '10', '--split', 'test']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote 4 test scenes \(10\.\.13, 48x48, 1-4 objects\)/);
  assert.deepEqual(readdirSync(dir).sort(), [
    'data.jsonl',
    'test-000010.png',
    'test-000011.png',
    'test-000012.png',
    'test-000013.png',
  ]);
  const lines = readFileSync(join(dir, 'data.jsonl'), 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 4);
  lines.forEach((line, k) => {
    const row = JSON.parse(line) as Record<string, unknown>;
    const { image, record } = sceneExample('test', 10 + k);
    assert.deepEqual(row, { file: `test-0000${10 + k}.png`, ...record });
    assert.deepEqual(readImageFile(join(dir, String(row.file))), image);
    for (const key of ['caption', 'questions', 'labels', 'objects']) assert.ok(key in row, key);
  });
});

test('vision data --size and --objects shape the scenes', async () => {
  const dir = join(TMP, 'small');
  const r = await run(['data', '--out', dir, '--count', '2', '--size', '64', '--objects', '2']);
  assert.equal(r.code, 0, r.err);
  for (const line of readFileSync(join(dir, 'data.jsonl'), 'utf8').trimEnd().split('\n')) {
    const row = JSON.parse(line) as { size: number; objects: unknown[]; file: string };
    assert.equal(row.size, 64);
    assert.equal(row.objects.length, 2);
    assert.equal(readImageFile(join(dir, row.file)).width, 64);
  }
});

test('vision is registered, shows its help, and bad flags are one line each', async () => {
  assert.equal(commands.vision, visionCommand);
  assert.match((await run([])).out, /usage: llmfs vision data --out DIR/);
  assert.match((await run(['data', '--help'])).out, /--split <string> .*\[train\|val\|test\|unseen\]/);
  const file = join(TMP, 'a-file');
  writeFileSync(file, 'x');
  const bad: [string[], RegExp][] = [
    [['fit'], /^vision: unknown sub-command 'fit' \(known: data, train, eval\)$/],
    [['data'], /^vision data: --out is required/],
    [['data', '--out', TMP, '--count', '0'], /--count must be >= 1, got 0/],
    [['data', '--out', TMP, '--count', 'many'], /--count must be a number, got 'many'/],
    [['data', '--out', TMP, '--split', 'dev'], /--split must be one of train, val, test, unseen, got 'dev'/],
    [['data', '--out', TMP, '--size', '16'], /^vision data: size 16 must be a whole number in 24\.\.1024$/],
    [['data', '--out', TMP, '--objects', '0-3'], /^vision data: object counts 0\.\.3 must be/],
    [['data', '--out', TMP, '--objects', 'some'], /--objects takes N or LO-HI/],
    [
      ['data', '--out', TMP, '--seed', '999999999', '--count', '2'],
      /scenes 999999999\.\.1000000000 must lie in/,
    ],
    [['data', '--out', file], /--out .*a-file is a file, not a directory/],
    [['data', '--out', TMP, '--colour', 'red'], /unknown option --colour/],
  ];
  for (const [argv, re] of bad) {
    const r = await run(argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err, re);
    assert.ok(!r.err.includes('\n'));
  }
});
