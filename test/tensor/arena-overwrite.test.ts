// Buffers handed out without zero-fill (allocateOverwritten: a kernel writes every element): a
// training step whose unfilled buffers all start as NaN must give the bits of a step whose
// buffers are all zero-filled, on the reference backend, the wasm backend and two threads.
// A kernel that skipped one element of such a buffer would leave a NaN in the loss or a gradient.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/index.js';
import type { GPTConfig } from '../../src/model/config.js';
import { AdamW } from '../../src/train/adamw.js';
import { BufferArena } from '../../src/tensor/arena.js';
import type { DType, FloatArray } from '../../src/tensor/dtype.js';
import { randint } from '../../src/tensor/creation.js';
import { Rng, manualSeed } from '../../src/tensor/rng.js';
import { type Backend, resetBackend, setBackend } from '../../src/kernels/backend.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { createNodeWasmBackend } from '../../src/kernels/threads/node.js';

/** Every buffer handed out without zero-fill is NaN: what a caller does not write stays NaN. */
class PoisonArena extends BufferArena {
  override take(dtype: DType, size: number, zero = true): FloatArray {
    const buf = super.take(dtype, size, zero);
    return zero ? buf : buf.fill(NaN);
  }
}

/** The arena as it was: every buffer zero-filled, whatever the caller promises. */
class ZeroArena extends BufferArena {
  override take(dtype: DType, size: number): FloatArray {
    return super.take(dtype, size, true);
  }
}

const one = await createWasmBackend({ threads: 1 });
const two = await createNodeWasmBackend({ threads: 2 });
after(() => {
  resetBackend();
  one.close();
  two.close();
});

interface Trace {
  losses: number[];
  /** Every parameter's gradient after each step, then every parameter after the last step. */
  arrays: number[][];
}

/** Three AdamW steps inside `arena` (steps 2 and 3 take recycled buffers). */
function train(be: Backend | null, arena: BufferArena, cfg: Partial<GPTConfig>, B: number, T: number): Trace {
  if (be) setBackend(be);
  else resetBackend();
  manualSeed(11);
  const model = new GPT({ vocabSize: 37, blockSize: T, nLayer: 2, nHead: 2, nEmbd: 40, ...cfg });
  const opt = new AdamW(model.parameters(), { lr: 1e-2 });
  const V = model.config.vocabSize;
  const x = randint(0, V, [B, T], { rng: new Rng(1) });
  const y = randint(0, V, [B, T], { rng: new Rng(2) });
  const trace: Trace = { losses: [], arrays: [] };
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    const loss = arena.run(() => {
      const l = model.forward(x, { targets: y }).loss!;
      l.backward();
      return l.item();
    });
    trace.losses.push(loss);
    for (const p of model.parameters()) trace.arrays.push(Array.from(p.grad!.data));
    opt.step();
  }
  for (const p of model.parameters()) trace.arrays.push(Array.from(p.data));
  resetBackend();
  return trace;
}

function assertSameBits(poisoned: Trace, zeroed: Trace, what: string): void {
  assert.ok(poisoned.losses.every(Number.isFinite), `${what}: losses ${poisoned.losses.join(', ')}`);
  // deepEqual uses Object.is: equal bits for every finite float (and NaN would fail above)
  assert.deepEqual(poisoned.losses, zeroed.losses, `${what}: losses`);
  assert.equal(poisoned.arrays.length, zeroed.arrays.length);
  poisoned.arrays.forEach((a, i) => assert.deepEqual(a, zeroed.arrays[i], `${what}: array ${i}`));
}

const backends: [string, () => Backend | null][] = [
  ['reference', () => null],
  ['wasm', () => one],
  ['wasm x2 threads', () => two],
];

for (const [name, be] of backends) {
  test(`arena overwrite (${name}): NaN-poisoned unfilled buffers give the zero-filled step's bits`, () => {
    // odd sizes: 5 rows of 37 tokens, 40 channels in 2 heads, a 37-token vocabulary
    const cfg = {};
    assertSameBits(
      train(be(), new PoisonArena(), cfg, 5, 37),
      train(be(), new ZeroArena(), cfg, 5, 37),
      name,
    );
  });
}

test('arena overwrite (wasm): exact GELU, no biases, and sizes that split rows across threads', () => {
  // 10·37 rows of GELU over 4·96 channels = 142,080 elements: above the threaded row split
  const cfg: Partial<GPTConfig> = { nEmbd: 96, nHead: 3, activation: 'gelu', bias: false };
  for (const be of [one, two]) {
    const poisoned = train(be, new PoisonArena(), cfg, 10, 37);
    assertSameBits(poisoned, train(be, new ZeroArena(), cfg, 10, 37), be.name);
  }
});
