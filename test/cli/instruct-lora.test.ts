// `llmfs finetune instruct --lora-r R`: only LoRA adapters train (6,144 numbers on the tiny GPT-2
// at r = 4), and the saved model has them folded into its weights: plain keys, changed weights.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';

const root = join(import.meta.dirname, '..', '..');
const TINY = join(root, 'test', 'fixtures', 'hf-gpt2', 'tiny');

test('finetune instruct --lora-r: adapters train, and are merged into a plain saved model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-instruct-lora-'));
  try {
    const data = join(dir, 'data.json');
    writeFileSync(data, JSON.stringify([{ instruction: 'Hi', input: '', output: 'yo' }]));
    writeFileSync(join(dir, 'tpl.txt'), 'Q: {instruction}\n{input}\nA:');
    const out = join(dir, 'out');
    const argv = ['finetune', 'instruct', '--model', TINY, '--data', data, '--out', out, '--steps', '10'];
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'bin', 'llmfs.mjs'),
        ...argv,
        '--batch-size',
        '1',
        '--lr',
        '0.05',
        '--lora-r',
        '4',
        '--template',
        join(dir, 'tpl.txt'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /tuning 6,144 parameters/);
    const tuned = loadPretrained(out).model;
    const base = loadPretrained(TINY).model;
    const names = tuned.namedParameters().map(([n]) => n);
    assert.ok(!names.some((n) => n.includes('lora')), 'no lora keys in the saved model');
    const w = (m: typeof base, n: string) => m.namedParameters().find(([k]) => k === n)![1].data;
    const moved = (n: string) => w(tuned, n).some((v, i) => v !== w(base, n)[i]);
    assert.ok(moved('h.0.attn.c_attn.weight'), 'the merged adapter changed a target weight');
    assert.ok(!moved('wte.weight') && !moved('h.0.ln_1.weight'), 'what LoRA does not target is unchanged');
    const bad = spawnSync(
      process.execPath,
      [join(root, 'bin', 'llmfs.mjs'), ...argv, '--lora-alpha', '8', '--template', join(dir, 'tpl.txt')],
      { encoding: 'utf8' },
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^error: finetune instruct: --lora-alpha needs --lora-r\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
