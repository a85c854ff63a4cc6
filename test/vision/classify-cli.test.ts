// `llmfs vision train --task classify` and `llmfs vision eval`: a tiny run writes a checkpoint that
// eval reads back (text and --json with every head), and every bad flag, missing or mismatched
// model directory is one LlmfsError of one line (what main prints as its one `error:` line).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { visionCommand } from '../../src/cli/vision.js';
import { loadClassifier } from '../../src/io/vision-checkpoint.js';
import { LlmfsError } from '../../src/errors.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { GPT } from '../../src/model/gpt.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-vision-cls-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

type Write = typeof process.stderr.write;

/**
 * Runs `llmfs vision ...` in-process with console.log (results) and stderr (progress) captured; an
 * LlmfsError becomes exit 1 and its message. (stdout itself is left alone: the test runner talks
 * to its parent through it.) Any other exception fails the test, as a stack trace would.
 */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; error: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, err: process.stderr.write };
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as Write;
  try {
    const code = (await visionCommand.run(argv.slice(1))) ?? 0;
    return { code, stdout, stderr, error: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, stdout, stderr, error: e.message };
  } finally {
    console.log = saved.log;
    process.stderr.write = saved.err;
  }
}

const tiny = ['--steps', '6', '--batch-size', '4', '--eval-every', '3', '--eval-count', '8'];
const small = ['--d-model', '8', '--n-head', '2', '--n-layer', '1'];
const dir = join(TMP, 'model');

test('vision train --task classify writes a checkpoint that vision eval reads (text and --json)', async () => {
  const r = await run(['vision', 'train', '--task', 'classify', '--out', dir, ...tiny, ...small]);
  assert.equal(r.code, 0, r.error);
  assert.match(r.stderr, /heads shape, colour, size, count; 1-4 objects per scene/);
  assert.match(r.stderr, /step 6\/6: loss \d+\.\d{4}, batch accuracy/);
  assert.match(r.stderr, /val at step 3 \(8 scenes\): shape [\d.]+%, colour [\d.]+%, size [\d.]+%, count/);
  assert.match(r.stdout, /^saved .*: 6 steps in [\d.]+s; val: shape .*; all heads right [\d.]+%\n$/);
  assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors']);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(cfg.model_type, 'llmfs-vit');
  assert.equal(cfg.training.stepsDone, 6);
  assert.equal(cfg.training.seed, 1);

  const j = await run(['vision', 'eval', '--model', dir, '--split', 'unseen', '--count', '10', '--json']);
  assert.equal(j.code, 0, j.error);
  const out = JSON.parse(j.stdout);
  assert.deepEqual(Object.keys(out).sort(), [
    'count',
    'exact',
    'heads',
    'loss',
    'model',
    'seconds',
    'split',
    'start',
  ]);
  assert.equal(out.split, 'unseen');
  assert.equal(out.count, 10);
  assert.deepEqual(Object.keys(out.heads), ['shape', 'colour', 'size', 'count']);
  for (const v of [...Object.values(out.heads), out.exact] as number[]) assert.ok(v >= 0 && v <= 1);
  // Accuracies are counts out of 10.
  for (const v of Object.values(out.heads) as number[]) assert.equal(Math.round(v * 10), v * 10);

  const t = await run(['vision', 'eval', '--model', dir, '--count', '5']);
  assert.equal(t.code, 0);
  assert.match(t.stdout, /on 5 test scenes \(0\.\.4\)/);
  assert.match(t.stdout, /colour +[\d.]+% +\(chance 16\.7%\)/);
  assert.match(t.stdout, /all +[\d.]+% +\(every head right\)/);

  // The same flags and seed train the same model.
  const again = join(TMP, 'again');
  await run(['vision', 'train', '--out', again, ...tiny, ...small, '--quiet']);
  assert.deepEqual(
    readFileSync(join(again, 'model.safetensors')),
    readFileSync(join(dir, 'model.safetensors')),
  );
});

test('vision train / eval: bad flags, missing and mismatched models are one line each', async () => {
  const gpt = join(TMP, 'gpt');
  saveModel(gpt, new GPT({ vocabSize: 8, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }));
  const file = join(TMP, 'a-file');
  writeFileSync(file, 'x');
  // A checkpoint whose config no longer matches its weights (a wider model asked for).
  const mismatched = join(TMP, 'mismatched');
  cpSync(dir, mismatched, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(mismatched, 'config.json'), 'utf8'));
  cfg.parts.vit.dModel = 16;
  writeFileSync(join(mismatched, 'config.json'), JSON.stringify(cfg));
  const out = join(TMP, 'x');
  const cases: [string[], RegExp][] = [
    [
      ['train', '--task', 'segment', '--out', out],
      /--task must be one of classify, caption, vqa, mixed, got 'segment'/,
    ],
    [['train'], /^vision train: --out is required/],
    [['train', '--out', dir], /already holds a checkpoint; add --force to replace it/],
    [['train', '--out', file], /--out .*a-file is a file/],
    [['train', '--out', out, '--steps', '0'], /^vision train: steps must be a whole number >= 1, got 0$/],
    [['train', '--out', out, '--lr', 'fast'], /--lr must be a number, got 'fast'/],
    [['train', '--out', out, '--objects', 'some'], /--objects takes N or LO-HI/],
    [['train', '--out', out, '--objects', '0-3'], /^vision train: object counts 0\.\.3 must be/],
    [['train', '--out', out, '--patch-size', '10'], /^vision train: .*48.* 10/],
    [['train', '--out', out, '--d-model', '10', '--n-head', '4'], /dModel 10 must be divisible by nHead 4/],
    [['eval'], /^vision eval: --model is required/],
    [['eval', '--model', join(TMP, 'nowhere')], /nowhere: directory not found/],
    [['eval', '--model', gpt], /model_type is "llmfs-gpt", expected a vision model/],
    [['eval', '--model', dir, '--split', 'train'], /--split must be one of test, unseen, val, got 'train'/],
    [['eval', '--model', dir, '--count', '0'], /--count and --batch-size must be >= 1/],
    [
      ['eval', '--model', mismatched],
      /part 'vit' does not match config\.json: 'patch_embed\.proj\.weight' has shape/,
    ],
  ];
  for (const [argv, re] of cases) {
    const r = await run(['vision', ...argv]);
    assert.equal(r.code, 1, argv.join(' '));
    assert.ok(!r.error.includes('\n'), r.error);
    assert.match(r.error, re, argv.join(' '));
  }
  const h = await run(['vision', 'train', '--help']);
  assert.match(h.stdout, /--task <string> .*\[classify\|caption\|vqa\|mixed\]/);
  assert.match((await run(['vision', '--help'])).stdout, /llmfs vision eval --model DIR/);
});

test('vision train: Ctrl-C stops after the step, saves a checkpoint that loads, and exits 130', async () => {
  // A child process: the signal must reach a real `llmfs` whose loop gives the event loop turns.
  const out = join(TMP, 'interrupted');
  const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
  const args = ['vision', 'train', '--out', out, '--steps', '2000', '--eval-count', '8', ...small];
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/step \d+\/2000/.test(stderr) && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /SIGINT: stopping after this step/);
  const m = /stopped at step (\d+) of 2000/.exec(stdout);
  assert.ok(m, stdout);
  const saved = loadClassifier(out);
  assert.equal(saved.training.stepsDone, Number(m[1]));
});
