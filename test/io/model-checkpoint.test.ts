// A GPT with its tokenizer saved to a checkpoint directory and loaded back computes the same
// logits; a damaged config gives a clear error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { GPT } from '../../src/model/index.js';
import { CharTokenizer } from '../../src/tokenizer/index.js';
import { saveModel, loadModel, configToJson } from '../../src/io/model-checkpoint.js';
import { LlmfsError } from '../../src/errors.js';

test('model checkpoint: save and load round-trip weights, config and tokenizer', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'llmfs-ckpt-')), 'run');
  const tok = CharTokenizer.fromCorpus('hello world');
  T.manualSeed(3);
  const model = new GPT({
    vocabSize: tok.vocabSize,
    blockSize: 8,
    nLayer: 1,
    nHead: 2,
    nEmbd: 8,
    positions: 'rope',
  });
  saveModel(dir, model, { tokenizer: tok, trainingState: { step: 7 } });
  const loaded = loadModel(dir);
  assert.deepEqual(loaded.model.config, model.config);
  assert.equal(loaded.tokenizer!.decode(loaded.tokenizer!.encode('hello')), 'hello');
  assert.deepEqual(loaded.trainingState, { step: 7 });
  const ids = T.tensor([tok.encode('hello w')]);
  assert.deepEqual(loaded.model.forward(ids).logits.toList(), model.forward(ids).logits.toList());
});

test('model checkpoint: a config with a wrong field or type gives one clear error', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'llmfs-ckpt-')), 'run');
  const model = new GPT({ vocabSize: 10, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 });
  saveModel(dir, model);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...configToJson(model.config), nHead: 3 }));
  assert.throws(
    () => loadModel(dir),
    (e: Error) =>
      e instanceof LlmfsError &&
      /config\.json: GPT config: nEmbd 4 must be divisible by nHead 3/.test(e.message),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
  assert.throws(() => loadModel(dir), /model_type is "bert"/);
});
