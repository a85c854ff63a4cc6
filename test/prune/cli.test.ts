// `llmfs prune` end to end on the tiny Hugging Face GPT-2 fixture: each mode writes a checkpoint
// that loads with the promised shape, and each bad request is one line on stderr.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-checkpoint.js';
import { prunableWeights, countZeros } from '../../src/prune/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TINY = join(ROOT, 'test', 'fixtures', 'hf-gpt2', 'tiny');
const TEXT = join(ROOT, 'test', 'fixtures', 'hf-gpt2', 'eval.txt');

function llmfs(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'llmfs.mjs'), 'prune', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'llmfs-prune-cli-'));

test('cli: llmfs prune --sparsity, --heads and --neurons write loadable checkpoints of the promised shape', () => {
  const sp = join(tmp, 'sparse');
  let r = llmfs(
    '--model',
    TINY,
    '--out',
    sp,
    '--sparsity',
    '0.5',
    '--per-layer',
    '--recover-steps',
    '2',
    '--data',
    TEXT,
    '--batch-size',
    '2',
  );
  assert.equal(r.status, 0, r.stderr);
  const sparse = loadModel(sp).model;
  for (const [name, p] of prunableWeights(sparse))
    assert.equal(countZeros(sparse, [name]).zeros, Math.round(0.5 * p.size), name);

  const hd = join(tmp, 'heads');
  r = llmfs('--model', TINY, '--out', hd, '--heads', '3', '--data', TEXT, '--batch-size', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { parametersAfter: number; removed: number[][] };
  const heads = loadModel(hd).model;
  assert.equal(heads.config.nHead, 1);
  assert.equal(heads.config.headDim, 12);
  assert.equal(heads.numParameters(), summary.parametersAfter);
  assert.equal(summary.removed.length, 2);

  const nr = join(tmp, 'neurons');
  r = llmfs('--model', TINY, '--out', nr, '--neurons', '0.25', '--score', 'norm');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(loadModel(nr).model.config.mlpHidden, 144);
});

test('cli: llmfs prune: bad requests are one clear line each', () => {
  const out = join(tmp, 'never');
  const cases: [string[], RegExp][] = [
    [['--sparsity', '1'], /^error: prune: --sparsity must be in \[0, 1\), got 1$/],
    [['--sparsity', '-0.2'], /^error: prune: --sparsity must be in \[0, 1\), got -0.2$/],
    [['--heads', '4', '--score', 'norm'], /^error: prune: cannot remove 4 heads per layer: each layer has 4/],
    [['--heads', '9', '--score', 'norm'], /^error: prune: cannot remove 9 heads per layer/],
    [['--neurons', '1.5'], /^error: prune: --neurons must be a fraction in \[0, 1\), got 1.5$/],
    [['--sparsity', '0.5', '--heads', '1'], /^error: prune: --sparsity and --heads conflict/],
    [['--heads', '1', '--per-layer'], /^error: prune: --per-layer goes with --sparsity$/],
    [['--sparsity', '0.5', '--score', 'norm'], /^error: prune: --score ranks heads or neurons/],
    [[], /^error: prune: say what to prune/],
    [['--heads', '1', '--score-batches', '0'], /^error: prune: --score-batches must be >= 1, got 0$/],
    [['--sparsity', '0.5', '--lr', '-1'], /^error: prune: --lr must be a number > 0, got -1$/],
  ];
  for (const [args, re] of cases) {
    const r = llmfs('--model', TINY, '--out', out, ...args);
    assert.notEqual(r.status, 0, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], re);
  }
  const r = llmfs('--model', TINY, '--out', TINY, '--sparsity', '0.5');
  assert.match(r.stderr.trim(), /^error: prune: --out must differ from --model/);
});
