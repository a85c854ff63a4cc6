// The engine on the fast backend: a small transformer-shaped graph (linear, GELU, residual,
// layer norm, attention scores with softmax, cross-entropy) run forward and backward with the
// wasm backend installed gives the loss and every gradient of the reference backend.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randn, randint } from '../../src/tensor/creation.js';
import { Rng } from '../../src/tensor/rng.js';
import { crossEntropy } from '../../src/tensor/ops/loss.js';
import { layerNorm } from '../../src/tensor/ops/norm.js';
import { linear } from '../../src/tensor/ops/matmul.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { getBackend, resetBackend, setBackend } from '../../src/kernels/backend.js';
import { createNodeWasmBackend } from '../../src/kernels/threads/node.js';
import { assertNear } from './random.js';

const be = await createNodeWasmBackend({ threads: 2 });
after(() => resetBackend());

/** loss and gradients of a one-block model on (B=4, T=33, C=96) inputs with V=101 classes. */
function run(): { loss: number; grads: Map<string, Float32Array> } {
  const rng = new Rng(7);
  const [B, T, C, H, V] = [4, 33, 96, 384, 101];
  const p = (name: string, shape: number[], scale: number): [string, Tensor] => {
    const t = randn(shape, { rng });
    for (let i = 0; i < t.size; i++) t.data[i] *= scale;
    return [name, t.requireGrad()];
  };
  const params = new Map([
    p('x', [B, T, C], 1),
    p('fcW', [H, C], 0.1),
    p('fcB', [H], 0.1),
    p('projW', [C, H], 0.05),
    p('lnW', [C], 1),
    p('lnB', [C], 0.1),
    p('headW', [V, C], 0.1),
  ]);
  const w = (k: string) => params.get(k)!;
  const targets = randint(0, V, [B * T], { rng });
  const h = linear(linear(w('x'), w('fcW'), w('fcB')).gelu('tanh'), w('projW')); // (B, T, C)
  const x = layerNorm(w('x').add(h), w('lnW'), w('lnB')); // (B, T, C)
  const att = x
    .matmul(x.transpose(-2, -1))
    .mul(1 / Math.sqrt(C))
    .softmax(-1); // (B, T, T)
  const y = att.matmul(x); // (B, T, C)
  const logits = linear(y, w('headW')); // (B, T, V)
  const loss = crossEntropy(logits.reshape(B * T, V), targets);
  loss.backward();
  const grads = new Map([...params].map(([k, t]) => [k, Float32Array.from(t.grad!.data)]));
  return { loss: loss.data[0], grads };
}

test('engine on the wasm backend: a transformer-shaped graph gives the reference loss and gradients', () => {
  resetBackend();
  const want = run();
  setBackend(be);
  assert.match(getBackend().name, /^wasm-/);
  const got = run();
  resetBackend();
  assertNear([got.loss], [want.loss], 'loss', 1e-5, 0);
  for (const [k, g] of want.grads) {
    const scale = Math.max(...g.map(Math.abs));
    assertNear(got.grads.get(k)!, g, `grad ${k}`, 1e-4, 1e-5 * scale);
  }
});
