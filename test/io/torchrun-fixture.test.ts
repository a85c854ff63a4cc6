// The road back from PyTorch: a tiny GPT-2 that scripts/torchrun/train_ddp.py trained with DDP on
// 2 processes and saved (test/fixtures/torchrun/, made by scripts/torchrun/make-fixture.sh) loads
// in llmfs, and our loss on its val.bin equals the loss the script printed: the same model, the
// same weights, the same windows. No PyTorch is needed to run this test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { readTokenBin } from '../../src/io/token-bin-files.js';
import { evaluateTokens } from '../../src/eval/perplexity.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'torchrun');

interface ScriptLog {
  mode: string;
  processes: number;
  steps: number;
  val_tokens: number;
  val_loss_before: number;
  val_loss_after: number;
}

test('torchrun fixture: llmfs loads the DDP-trained directory and scores val.bin as PyTorch did', () => {
  const log = JSON.parse(readFileSync(join(dir, 'model', 'torchrun_log.json'), 'utf8')) as ScriptLog;
  assert.equal(log.mode, 'DDP');
  assert.equal(log.processes, 2);
  // The printed line and the JSON agree (4 decimals printed).
  const printed = /val loss after: (\d+\.\d+)/.exec(readFileSync(join(dir, 'train.log'), 'utf8'));
  assert.ok(printed, 'train.log has no "val loss after" line');
  assert.equal(Number(printed[1]), Number(log.val_loss_after.toFixed(4)));

  const { model, tokenizer } = loadPretrained(join(dir, 'model'));
  assert.ok(tokenizer, 'the tokenizer files were copied into the saved directory');
  const { tokens } = readTokenBin(join(dir, 'tokens'), 'val');
  assert.equal(tokens.length, log.val_tokens);
  const ours = evaluateTokens(model, Array.from(tokens));
  assert.ok(
    Math.abs(ours.loss - log.val_loss_after) < 1e-5,
    `llmfs loss ${ours.loss} differs from the script's ${log.val_loss_after}`,
  );
  // Training moved the weights: the loss the script measured before its steps is different.
  assert.ok(log.val_loss_after < log.val_loss_before);
});
