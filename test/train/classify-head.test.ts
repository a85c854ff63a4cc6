// The classification head against PyTorch (scripts/make-classify-head-fixture.py): the logits of
// each row's last real token, the mean cross-entropy and the gradients of h, W and b; and on a
// real GPT, right padding never changes a row's logits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromArray } from '../../src/tensor/creation.js';
import { crossEntropy } from '../../src/tensor/ops/loss.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { GPT } from '../../src/model/gpt.js';
import { GPTClassifier, lastTokenSelector } from '../../src/train/classify/head.js';
import { collate } from '../../src/train/classify/batches.js';

interface Fixture {
  B: number;
  T: number;
  C: number;
  K: number;
  lengths: number[];
  targets: number[];
  [k: string]: number | number[];
}
const fx = JSON.parse(
  readFileSync(new URL('../fixtures/classify/head.json', import.meta.url), 'utf8'),
) as Fixture;

function close(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]`);
}

test('classification head: last-token logits, loss and gradients equal PyTorch', () => {
  const { B, T, C, K } = fx;
  const gpt = new GPT({ vocabSize: 16, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: C });
  const clf = new GPTClassifier(
    gpt,
    Array.from({ length: K }, (_, k) => `c${k}`),
  );
  clf.score.weight.data.set(fx.W as number[]);
  clf.score.bias!.data.set(fx.b as number[]);
  const h = fromArray(fx.h as number[], [B, T, C], { requiresGrad: true });
  const logits = clf.head(h, fx.lengths); // (B, K)
  close(logits.data, fx.logits as number[], 1e-5, 'logits');
  const loss = crossEntropy(logits, fx.targets);
  close([loss.item()], [fx.loss as number], 1e-5, 'loss');
  loss.backward();
  close(h.grad!.data, fx.dh as number[], 1e-5, 'dL/dh');
  close(clf.score.weight.grad!.data, fx.dW as number[], 1e-5, 'dL/dW');
  close(clf.score.bias!.grad!.data, fx.db as number[], 1e-5, 'dL/db');
});

test('classification head: right padding does not change a row (the last real token is read)', () => {
  manualSeed(7);
  const gpt = new GPT({ vocabSize: 32, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 });
  const clf = new GPTClassifier(gpt, ['a', 'b']).eval();
  const short = { ids: [3, 9, 4], label: 0 };
  const long = { ids: [5, 6, 7, 8, 9, 10, 11, 12], label: 1 };
  noGrad(() => {
    const alone = collate([short], 0);
    const padded = collate([short, long], 0); // short is padded with 5 zeros
    assert.deepEqual(padded.lengths, [3, 8]);
    const a = clf.forward(alone.idx, alone.lengths).data;
    const p = clf.forward(padded.idx, padded.lengths).data;
    close(p.subarray(0, 2), Array.from(a), 1e-5, 'padded row');
    const other = collate([short], 31); // another pad id: the same logits
    close(clf.forward(other.idx, other.lengths).data, Array.from(a), 1e-6, 'pad id');
  });
});

test('lastTokenSelector: a length outside 1..T is one clear error', () => {
  assert.throws(() => lastTokenSelector([0], 4), /sequence 0 has length 0, expected 1\.\.4/);
  assert.throws(() => lastTokenSelector([5], 4), /sequence 0 has length 5/);
});

test('classifier: a batch longer than the context window is one clear error', () => {
  const gpt = new GPT({ vocabSize: 16, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 8 });
  const clf = new GPTClassifier(gpt, ['a', 'b']);
  const b = collate([{ ids: [1, 2, 3, 4, 5], label: 0 }], 0);
  assert.throws(() => clf.forward(b.idx, b.lengths), /sequences of 5 tokens exceed the context window of 4/);
});
