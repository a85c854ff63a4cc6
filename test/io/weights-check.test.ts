// Loading checks: non-finite weights are refused, naming the tensor (a NaN or an infinity would
// otherwise load silently and generate garbage), and a run directory given for a checkpoint
// points to the checkpoints inside it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { GPT } from '../../src/model/gpt.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { LlmfsError } from '../../src/errors.js';
import { ROOT, TINY, variant } from '../interop/helpers.js';
import { spawnSync } from 'node:child_process';

test('a Hugging Face directory with a NaN weight is one error naming the tensor and the element', () => {
  const dir = variant(TINY, {
    tensors: (t) => {
      t['h.1.mlp.c_fc.weight'].data[7] = NaN;
    },
  });
  assert.throws(
    () => loadPretrained(dir),
    (e: unknown) =>
      e instanceof LlmfsError &&
      /model\.safetensors: tensor 'h\.1\.mlp\.c_fc\.weight' holds NaN at element \d+ of 9216/.test(e.message),
  );
});

test('our checkpoint with an infinite weight is refused, by the library and by eval and generate', () => {
  const tok = CharTokenizer.fromCorpus('abcdef ');
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 });
  model.namedParameters().find(([n]) => n === 'ln_f.weight')![1].data[3] = -Infinity;
  const dir = join(mkdtempSync(join(tmpdir(), 'llmfs-nan-')), 'ckpt');
  saveModel(dir, model, { tokenizer: tok });
  assert.throws(() => loadPretrained(dir), /tensor 'ln_f\.weight' holds -Infinity at element 3 of 8/);
  for (const argv of [
    ['eval', '--model', dir, '--data', join(TINY, 'config.json')],
    ['generate', '--model', dir, '--prompt', 'ab', '--max-new-tokens', '2'],
  ]) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'llmfs.mjs'), ...argv], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error: .*tensor 'ln_f\.weight' holds -Infinity at element 3 of 8[^\n]*\n$/);
  }
});

test('finite weights load as before', () => {
  assert.equal(loadPretrained(TINY).format, 'hf-gpt2');
});

test('a training run directory given as --model points to its best/ and last/ checkpoints', () => {
  const run = mkdtempSync(join(tmpdir(), 'llmfs-run-'));
  const tok = CharTokenizer.fromCorpus('abc');
  saveModel(join(run, 'best'), new GPT({ vocabSize: 3, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }), {
    tokenizer: tok,
  });
  assert.throws(
    () => loadPretrained(run),
    (e: unknown) =>
      e instanceof LlmfsError &&
      e.message === `model ${run}: is a training run, not a checkpoint; give ${join(run, 'best')}`,
  );
});
