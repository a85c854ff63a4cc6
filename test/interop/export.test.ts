// Export to the Hugging Face GPT-2 layout: what we write has the names, shapes, values and config
// fields of the file PyTorch wrote, and loads back to the same model; only GPT-2-layout models export.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { loadPretrained, saveHfGpt2 } from '../../src/io/load-pretrained.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { openSafetensorsFile } from '../../src/io/safetensors-file.js';
import { GPT } from '../../src/model/gpt.js';
import { trainBpe } from '../../src/tokenizer/train.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { tempDir, TINY, UNTIED } from './helpers.js';

const BUFFER = /\.attn\.(bias|masked_bias)$/;
const json = (p: string): Record<string, unknown> =>
  JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

/** name (without transformer.) -> [shape, values] of every parameter in an HF file. */
function params(file: string): Map<string, [number[], number[]]> {
  const r = openSafetensorsFile(file);
  const out = new Map<string, [number[], number[]]>();
  for (const t of r.tensors) {
    if (BUFFER.test(t.name)) continue;
    out.set(t.name.replace(/^transformer\./, ''), [[...t.shape], [...r.read(t.name).data]]);
  }
  r.close();
  return out;
}

test('export: the tiny model written back has PyTorch-file names, shapes, values, config and tokenizer files', () => {
  for (const src of [TINY, UNTIED]) {
    const { model, tokenizer } = loadPretrained(src);
    const dir = tempDir('export');
    const written = saveHfGpt2(dir, model, tokenizer);
    assert.deepEqual(written.map((p) => p.slice(dir.length + 1)).sort(), [
      'config.json',
      'merges.txt',
      'model.safetensors',
      'vocab.json',
    ]);
    assert.deepEqual(params(join(dir, 'model.safetensors')), params(join(src, 'model.safetensors')));
    const names = openSafetensorsFile(join(dir, 'model.safetensors')).tensors.map((t) => t.name);
    assert.ok(
      names.every((n) => n.startsWith('transformer.') || n === 'lm_head.weight'),
      'save_pretrained names',
    );
    const [ours, theirs] = [json(join(dir, 'config.json')), json(join(src, 'config.json'))];
    for (const k of [
      'model_type',
      'vocab_size',
      'n_positions',
      'n_embd',
      'n_layer',
      'n_head',
      'n_inner',
      'activation_function',
      'layer_norm_epsilon',
      'eos_token_id',
    ]) {
      assert.deepEqual(ours[k], theirs[k], `config.json ${k}`);
    }
    assert.equal(ours.tie_word_embeddings, theirs.tie_word_embeddings ?? true);
    assert.deepEqual(json(join(dir, 'vocab.json')), json(join(src, 'vocab.json')));
    assert.equal(
      readFileSync(join(dir, 'merges.txt'), 'utf8'),
      readFileSync(join(src, 'merges.txt'), 'utf8'),
    );
  }
});

test('export: a model of ours with a trained BPE tokenizer round-trips through the HF layout exactly', () => {
  const tok = trainBpe('the cat sat on the mat; the dog sat on the log. '.repeat(20), {
    vocabSize: 280,
    specialTokens: ['<|endoftext|>'],
  });
  const model = new GPT({
    vocabSize: 300,
    blockSize: 16,
    nLayer: 2,
    nHead: 2,
    nEmbd: 8,
    mlpHidden: 20,
    activation: 'relu',
    normEps: 1e-4,
  });
  const dir = tempDir('export');
  saveHfGpt2(dir, model, tok);
  const back = loadPretrained(dir);
  assert.equal(back.format, 'hf-gpt2');
  assert.deepEqual(back.model.config, model.config);
  assert.equal(back.eosTokenId, tok.specialTokens['<|endoftext|>']);
  const ids = tok.encode('the dog sat on the cat');
  assert.deepEqual(back.tokenizer!.encode('the dog sat on the cat'), ids);
  const a = noGrad(() => model.forward(tensor([ids])).logits.data);
  const b = noGrad(() => back.model.forward(tensor([ids])).logits.data);
  assert.deepEqual([...b], [...a]);
});

test('export: a model without biases exports zero biases and computes the same function', () => {
  const model = new GPT({ vocabSize: 260, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, bias: false });
  const dir = tempDir('export');
  saveHfGpt2(dir, model);
  const back = loadPretrained(dir);
  assert.equal(back.tokenizer, null);
  const ids = [1, 5, 9, 200];
  const a = noGrad(() => model.forward(tensor([ids])).logits.data);
  const b = noGrad(() => back.model.forward(tensor([ids])).logits.data);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6);
});

test('export: models HF GPT-2 cannot express, and non-GPT-2 tokenizers, are refused with a clear error', () => {
  const base = { vocabSize: 260, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
  const cases: [GPT, RegExp][] = [
    [new GPT({ ...base, positions: 'rope' }), /positions are 'rope'/],
    [new GPT({ ...base, norm: 'rmsnorm' }), /norm is 'rmsnorm'/],
    [new GPT({ ...base, mlp: 'swiglu' }), /mlp is 'swiglu'/],
    [new GPT({ ...base, nKvHead: 1 }), /nKvHead 1 differs from nHead 2/],
    [new GPT({ ...base, attention: 'sliding', window: 4 }), /attention is 'sliding'/],
    [new GPT({ ...base, attention: 'sparse-strided', window: 2 }), /attention is 'sparse-strided'/],
  ];
  for (const [m, re] of cases)
    assert.throws(
      () => saveHfGpt2(tempDir('export'), m),
      (e: unknown) =>
        e instanceof LlmfsError && re.test(e.message) && /only GPT-2-layout models export/.test(e.message),
    );
  const char = CharTokenizer.fromCorpus('abc', 'error');
  assert.throws(
    () => saveHfGpt2(tempDir('export'), new GPT(base), char),
    (e: unknown) => e instanceof LlmfsError && /GPT2Tokenizer needs a byte-level BPE/.test(e.message),
  );
});

test('loadPretrained: reads our own checkpoints too (model_type "llmfs-gpt")', () => {
  const tok = trainBpe('hello world '.repeat(10), { vocabSize: 262, specialTokens: ['<|endoftext|>'] });
  const model = new GPT({ vocabSize: 262, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, positions: 'rope' });
  const dir = join(tempDir('ours'), 'ckpt');
  saveModel(dir, model, { tokenizer: tok });
  const back = loadPretrained(dir);
  assert.equal(back.format, 'llmfs');
  assert.equal(back.eosTokenId, 261);
  assert.deepEqual([...back.model.wte.weight.data], [...model.wte.weight.data]);
  assert.throws(() => loadPretrained(join(dir, 'config.json')), /is not a directory/);
});
