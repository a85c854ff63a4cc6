// Our transformer against PyTorch (fixture made by scripts/make-model-fixtures.py): a GPT-2
// block, two whole GPTs (GPT-2 layout, and RoPE + RMSNorm + SwiGLU + GQA), and torch's own
// nn.Transformer as encoder-decoder, post- and pre-norm. Logits, loss and every parameter
// gradient agree to 1e-4 relative; loading is strict, so every parameter name matches too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import {
  GPT,
  Block,
  EncoderDecoder,
  gptConfig,
  type GPTConfigInput,
  type EncoderDecoderConfigInput,
} from '../../src/model/index.js';
import type { Module } from '../../src/nn/index.js';
import { assertClose } from '../helpers/assert.js';

interface P {
  shape: number[];
  values: number[];
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/model-golden.json', import.meta.url), 'utf8'));
const RTOL = 1e-4;
const ATOL = 1e-5;

function load(model: Module, params: Record<string, P>): void {
  const sd: Record<string, T.Tensor> = {};
  for (const [k, p] of Object.entries(params)) sd[k] = T.fromArray(p.values, p.shape);
  model.loadStateDict(sd);
}

function checkGrads(model: Module, grads: Record<string, number[]>): void {
  const named = new Map(model.namedParameters());
  assert.equal(named.size, Object.keys(grads).length, 'parameter count');
  for (const [k, g] of Object.entries(grads)) {
    const p = named.get(k);
    assert.ok(p?.grad, `no gradient for ${k}`);
    assertClose(p.grad.data, g, RTOL, ATOL, `grad ${k}`);
  }
}

test('torch golden: one GPT-2 block, output and every gradient', () => {
  const c = golden.cases.gpt2_block;
  const block = new Block(gptConfig({ vocabSize: 1, blockSize: 8, nLayer: 1, ...c.config }));
  load(block, c.params);
  const x = T.fromArray(c.x.values, c.x.shape, { requiresGrad: true });
  const y = block.forward(x);
  y.backward(T.fromArray(c.upstream, y.shape));
  assertClose(y.data, c.y, RTOL, ATOL, 'block output');
  assertClose(x.grad!.data, c.xGrad, RTOL, ATOL, 'input gradient');
  checkGrads(block, c.grads);
});

for (const name of ['gpt2_2layer', 'llama_style']) {
  test(`torch golden: a 2-layer GPT (${name}), logits, loss and every gradient`, () => {
    const c = golden.cases[name];
    const model = new GPT(c.config as GPTConfigInput);
    load(model, c.params);
    const { logits, loss } = model.forward(T.fromArray(c.idx, c.shape), { targets: c.targets });
    loss!.backward();
    assertClose(logits.data, c.logits, RTOL, ATOL, 'logits');
    assertClose([loss!.item()], [c.loss], RTOL, ATOL, 'loss');
    checkGrads(model, c.grads);
  });
}

for (const name of ['seq2seq_post', 'seq2seq_pre']) {
  test(`torch golden: encoder-decoder against torch.nn.Transformer (${name}) with padding`, () => {
    const c = golden.cases[name];
    const model = new EncoderDecoder(c.config as EncoderDecoderConfigInput);
    load(model, c.params);
    const { logits, loss } = model.forward(T.tensor(c.src), T.tensor(c.tgtIn), T.tensor(c.targets));
    loss!.backward();
    // Rows of padded target positions: torch computes them too, compare everything.
    assertClose(logits.data, c.logits, RTOL, ATOL, 'logits');
    assertClose([loss!.item()], [c.loss], RTOL, ATOL, 'loss');
    checkGrads(model, c.grads);
  });
}
