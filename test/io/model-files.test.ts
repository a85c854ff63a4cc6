// A checkpoint's files in memory (model-files.ts, what the lab page reads and writes) against the
// Node checkpoint directory: modelToFiles gives byte for byte the files saveModel writes, and
// modelFromFiles on those files gives the model loadModel gives; bad files give one clear line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { GPT } from '../../src/model/index.js';
import { CharTokenizer } from '../../src/tokenizer/index.js';
import { saveModel, loadModel } from '../../src/io/model-checkpoint.js';
import { modelFromFiles, modelToFiles } from '../../src/io/model-files.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { LlmfsError } from '../../src/errors.js';

const tok = CharTokenizer.fromCorpus('hello world, a small text');

function smallModel(): GPT {
  T.manualSeed(5);
  return new GPT({ vocabSize: tok.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 });
}

function saved(model: GPT): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'llmfs-files-')), 'run');
  saveModel(dir, model, { tokenizer: tok });
  return dir;
}

test('model files: modelToFiles gives byte for byte the files saveModel writes', () => {
  const model = smallModel();
  const dir = saved(model);
  const files = modelToFiles(model, tok);
  assert.deepEqual(Object.keys(files).sort(), readdirSync(dir).sort());
  for (const [name, bytes] of Object.entries(files))
    assert.deepEqual(Buffer.from(bytes), readFileSync(join(dir, name)), name);
});

test('model files: modelFromFiles on a saved directory gives the logits loadModel gives', () => {
  const model = smallModel();
  const dir = saved(model);
  const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
  const loaded = modelFromFiles({
    config: readFileSync(join(dir, 'config.json'), 'utf8'),
    weights: read('model.safetensors'),
    tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
  });
  const reference = loadModel(dir).model;
  assert.deepEqual(loaded.model.config, reference.config);
  assert.equal(loaded.tokenizer!.decode(loaded.tokenizer!.encode('hello')), 'hello');
  assert.equal(loaded.quantized, false);
  const ids = T.tensor([tok.encode('a world')]);
  assert.deepEqual(loaded.model.forward(ids).logits.toList(), reference.forward(ids).logits.toList());
});

test('model files: a missing file, a wrong model_type or a wrong shape gives one clear line', () => {
  const model = smallModel();
  const files = modelToFiles(model, tok);
  const config = new TextDecoder().decode(files['config.json']);
  const weights = files['model.safetensors'];
  const fails = (f: Parameters<typeof modelFromFiles>[0], re: RegExp): void =>
    assert.throws(
      () => modelFromFiles(f, 'checkpoint run'),
      (e: Error) => e instanceof LlmfsError && !e.message.includes('\n') && re.test(e.message),
    );
  fails({ weights }, /^checkpoint run: config\.json: file not found$/);
  fails({ config }, /^checkpoint run: model\.safetensors: file not found$/);
  fails(
    { config: '{"model_type": "gpt2"}', weights },
    /config\.json: model_type is "gpt2", expected "llmfs-gpt"/,
  );
  fails({ config: '{ nope', weights }, /config\.json: not valid JSON/);
  const wide = JSON.stringify({ ...JSON.parse(config), nEmbd: 16 });
  fails({ config: wide, weights }, /^checkpoint run: model\.safetensors: .*shape/);
  const half = weights.subarray(0, weights.length - 8);
  fails({ config, weights: half }, /^checkpoint run: model\.safetensors: /);
  const sd = model.stateDict();
  sd['wte.weight'].data[3] = NaN;
  fails({ config, weights: writeSafetensors(sd) }, /tensor 'wte\.weight' holds NaN/);
});
