// The Backend is the only door from ops to kernels, so a new backend needs no op changes: a
// recording backend (each method counts its calls and delegates to the reference) installed with
// setBackend sees a small GPT's forward and backward go through it (matmul, attention, log-softmax,
// layer norm, GELU, sums, elementwise) and gives the loss and gradients of the reference exactly.

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { GPT } from '../../src/model/index.js';
import { getBackend, resetBackend, setBackend, type Backend } from '../../src/kernels/backend.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { assertClose } from '../helpers/assert.js';

afterEach(() => resetBackend());

/** The reference backend with every method wrapped to count its calls. */
function recordingBackend(): { backend: Backend; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped = Object.entries(jsBackend).map(([name, method]) => {
    if (typeof method !== 'function') return [name, method];
    const fn = method as (...args: unknown[]) => unknown;
    return [
      name,
      (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return fn(...args);
      },
    ];
  });
  return { backend: { ...(Object.fromEntries(wrapped) as Backend), name: 'recording' }, calls };
}

/** Loss and parameter gradients of one forward and backward of a tiny GPT (GPT-2 defaults). */
function step(): { loss: number; grads: number[][] } {
  T.manualSeed(4);
  const model = new GPT({ vocabSize: 40, blockSize: 16, nLayer: 2, nHead: 4, nEmbd: 32 });
  const idx = T.randint(0, 40, [2, 9]);
  const targets = T.randint(0, 40, [2, 9]);
  const { loss } = model.forward(idx, { targets });
  loss!.backward();
  return { loss: loss!.item(), grads: model.parameters().map((p) => p.grad!.toList()) };
}

test('a recording backend sees a GPT forward and backward go through it, with the same loss', () => {
  const want = step();
  const { backend, calls } = recordingBackend();
  setBackend(backend);
  assert.equal(getBackend().name, 'recording');
  const got = step();
  resetBackend();
  for (const method of [
    'gemm',
    'attentionForward',
    'attentionBackward',
    'logSoftmaxForward',
    'logSoftmaxBackward',
    'layerNormForward',
    'layerNormBackward',
    'geluTanhForward',
    'geluTanhBackward',
    'binary',
    'sumAxis',
  ]) {
    assert.ok((calls.get(method) ?? 0) > 0, `${method} was never called through the installed backend`);
  }
  assert.equal(calls.get('attentionForward'), 2); // one per layer
  assert.equal(got.loss, want.loss);
  assert.deepEqual(got.grads, want.grads);
});

test('setBackend fills the methods a partial backend leaves out with the reference kernels', () => {
  let gemms = 0;
  setBackend({ name: 'gemm only', gemm: (args) => (gemms++, jsBackend.gemm(args)) });
  const y = T.tensor([
    [1, 2],
    [3, 4],
  ])
    .matmul(T.tensor([[1], [1]]))
    .softmax(0);
  assert.equal(gemms, 1);
  assert.equal(getBackend().softmaxForward, jsBackend.softmaxForward);
  assertClose(y.data, [1 / (1 + Math.exp(4)), 1 / (1 + Math.exp(-4))]); // softmax of [3, 7]
});
