// Zero-copy storage: on the fast backend with a shared WebAssembly.Memory, parameters, optimizer
// moments and arena buffers live inside wasm memory, where kernels use them in place. They must
// survive the memory growing, round-trip through a checkpoint, and give the same training step
// as the copying path (the same kernels on ordinary arrays).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT, gptPreset } from '../../src/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { BufferArena } from '../../src/tensor/arena.js';
import { allocate } from '../../src/tensor/dtype.js';
import { randint } from '../../src/tensor/creation.js';
import { Rng, manualSeed } from '../../src/tensor/rng.js';
import { Parameter } from '../../src/nn/parameter.js';
import { tensor } from '../../src/tensor/creation.js';
import { resetBackend, setBackend } from '../../src/kernels/backend.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { hasSharedMemory } from '../../src/kernels/wasm/module.js';
import { saveModel, loadModel } from '../../src/io/model-checkpoint.js';
import { assertNear } from './random.js';

const shared = hasSharedMemory();
const be = await createWasmBackend();
const copying = await createWasmBackend({ zeroCopy: false });
after(() => {
  resetBackend();
  be.close();
  copying.close();
});

test(
  'zero-copy: persistent storage is zeroed, cache-line aligned, and stays valid when the memory grows',
  { skip: !shared },
  () => {
    const x = be.allocPersistent(1000)!;
    assert.ok(be.heap.owns(x));
    assert.equal(x.byteOffset % 64, 0);
    assert.ok(x.every((v) => v === 0));
    for (let i = 0; i < x.length; i++) x[i] = i * 0.5;
    const before = be.heap.memory.buffer.byteLength;
    const mark = be.heap.mark();
    be.heap.alloc(64 * 2 ** 20); // scratch beyond the current size: the memory grows
    be.heap.release(mark);
    assert.ok(be.heap.memory.buffer.byteLength > before);
    assert.ok(be.heap.owns(x), 'a view made before the growth is still recognised as wasm memory');
    assert.equal(x[999], 999 * 0.5);
    const y = be.allocPersistent(8)!;
    assert.ok(
      y.every((v) => v === 0),
      'storage cut from released scratch is zeroed',
    );
  },
);

test('zero-copy: no persistent storage without a shared memory, or inside a kernel call', () => {
  assert.equal(copying.allocPersistent(16), null);
  if (!shared) return;
  const mark = be.heap.mark();
  assert.equal(be.allocPersistent(16), null);
  be.heap.release(mark);
});

test(
  'zero-copy: parameters made on the fast backend live in wasm memory and survive save/load',
  { skip: !shared },
  () => {
    setBackend(be);
    try {
      manualSeed(3);
      const model = new GPT(gptPreset('tiny', { vocabSize: 17 }));
      assert.ok(model.parameters().every((p) => be.heap.owns(p.data)));
      const p64 = new Parameter(tensor([1, 2], { dtype: 'float64' }));
      assert.ok(p64.data instanceof Float64Array, 'float64 parameters stay as given');
      const x = randint(0, 17, [2, 9], { rng: new Rng(1) });
      const want = model.eval().forward(x).logits.data.slice();
      const mark = be.heap.mark();
      be.heap.alloc(32 * 2 ** 20); // grow
      be.heap.release(mark);
      const dir = mkdtempSync(join(tmpdir(), 'llmfs-zero-copy-'));
      try {
        saveModel(dir, model);
        const loaded = loadModel(dir).model.eval();
        assert.ok(loaded.parameters().every((p) => be.heap.owns(p.data)));
        assertNear(loaded.forward(x).logits.data, want, 'loaded model', 1e-6);
        assertNear(model.forward(x).logits.data, want, 'after growth', 1e-6);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      resetBackend();
    }
  },
);

test('zero-copy: arena buffers come from wasm memory and are reused', { skip: !shared }, () => {
  setBackend(be);
  try {
    const arena = new BufferArena();
    const a = arena.run(() => allocate('float32', 4096));
    const b = arena.run(() => allocate('float32', 4096));
    assert.ok(be.heap.owns(a));
    assert.equal(a, b);
    assert.ok(arena.run(() => allocate('float64', 4096)) instanceof Float64Array);
  } finally {
    resetBackend();
  }
});

/** Losses and final weights of three AdamW steps of a tiny GPT on backend `b`. */
function train(b: typeof be): { losses: number[]; weights: Float32Array[] } {
  setBackend(b);
  try {
    manualSeed(5);
    const model = new GPT(gptPreset('tiny', { vocabSize: 23 }));
    const opt = new AdamW(model.parameters(), { lr: 1e-2 });
    const arena = new BufferArena();
    const x = randint(0, 23, [4, 32], { rng: new Rng(1) });
    const y = randint(0, 23, [4, 32], { rng: new Rng(2) });
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      opt.zeroGrad();
      losses.push(
        arena.run(() => {
          const loss = model.forward(x, { targets: y }).loss!;
          loss.backward();
          return loss.item();
        }),
      );
      opt.step();
    }
    return { losses, weights: model.parameters().map((p) => Float32Array.from(p.data)) };
  } finally {
    resetBackend();
  }
}

test('zero-copy: training steps in wasm memory equal the copying path', () => {
  const z = train(be);
  const c = train(copying);
  assertNear(z.losses, c.losses, 'losses', 1e-5);
  z.weights.forEach((w, i) => assertNear(w, c.weights[i], `weight ${i}`, 1e-4, 1e-5));
});
