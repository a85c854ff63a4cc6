// The attention-variant GPT cases of test/fixtures/linear-attention-golden.json (made by
// scripts/make-linear-attention-fixture.py): logits, loss and every parameter gradient against
// PyTorch's, loading strictly so every parameter name matches too.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { GPT, type GPTConfigInput } from '../../src/model/index.js';
import { assertClose } from '../helpers/assert.js';

interface P {
  shape: number[];
  values: number[];
}
const golden = JSON.parse(
  readFileSync(new URL('../fixtures/linear-attention-golden.json', import.meta.url), 'utf8'),
);
const RTOL = 1e-4;
const ATOL = 1e-5;

function load(model: GPT, params: Record<string, P>): void {
  const sd: Record<string, T.Tensor> = {};
  for (const [k, p] of Object.entries(params)) sd[k] = T.fromArray(p.values, p.shape);
  model.loadStateDict(sd);
}

/** Logits, loss and every parameter gradient of a GPT case against the fixture. */
export function checkGptCase(name: string): void {
  const c = golden.cases[name];
  const model = new GPT(c.config as GPTConfigInput);
  load(model, c.params);
  const { logits, loss } = model.forward(T.fromArray(c.idx, c.shape), { targets: c.targets });
  loss!.backward();
  assertClose(logits.data, c.logits, RTOL, ATOL, 'logits');
  assertClose([loss!.item()], [c.loss], RTOL, ATOL, 'loss');
  const named = new Map(model.namedParameters());
  assert.equal(named.size, Object.keys(c.grads).length, 'parameter count');
  for (const [k, g] of Object.entries(c.grads as Record<string, number[]>)) {
    assert.ok(named.get(k)?.grad, `no gradient for ${k}`);
    assertClose(named.get(k)!.grad!.data, g, RTOL, ATOL, `grad ${k}`);
  }
}
