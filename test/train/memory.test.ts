// Memory has an owner: on the fast backend, parameters, Adam's moments and the trainer's arena
// buffers live in wasm memory; disposing the model (and train() disposing its optimizer) gives
// that memory back for reuse, so one process can build and train many models.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { GPT } from '../../src/model/index.js';
import { train, toTokenArray, AdamW } from '../../src/train/index.js';
import { resetBackend, setBackend } from '../../src/kernels/backend.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { hasSharedMemory } from '../../src/kernels/wasm/module.js';

const shared = hasSharedMemory();
const be = await createWasmBackend();
after(() => {
  resetBackend();
  be.close();
});

const cfg = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const tokens = toTokenArray(
  Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % 13),
  13,
);
const quick = { steps: 3, batchSize: 2, lr: 1e-2, warmupSteps: 0, evalInterval: 2, evalBatches: 1, seed: 3 };

test(
  'memory: build, train and dispose a model 20 times: wasm memory in use does not grow',
  { skip: !shared },
  () => {
    setBackend(be);
    try {
      const base = be.heap.persistentBytes;
      const reserved: number[] = [];
      const losses: number[] = [];
      for (let i = 0; i < 20; i++) {
        T.manualSeed(1);
        const model = new GPT(cfg);
        assert.ok(
          model.parameters().every((p) => be.heap.owns(p.data)),
          `run ${i}: zero-copy stays on`,
        );
        losses.push(train(model, { train: tokens, val: tokens }, quick).trainLoss);
        assert.ok(be.heap.persistentBytes > base, 'the model and its arenas are in wasm memory');
        model.dispose();
        assert.equal(be.heap.persistentBytes, base, `run ${i}: everything given back`);
        reserved.push(be.heap.reservedBytes);
      }
      assert.equal(reserved[19], reserved[0], "later runs reuse the first run's blocks");
      assert.ok(
        losses.every((l) => l === losses[0]),
        'reused (zero-filled) memory trains exactly as new',
      );
    } finally {
      resetBackend();
    }
  },
);

test(
  "memory: an optimizer's dispose() releases its moments; a released block is handed out zeroed",
  { skip: !shared },
  () => {
    setBackend(be);
    try {
      T.manualSeed(2);
      const model = new GPT(cfg);
      const before = be.heap.persistentBytes;
      const opt = new AdamW(model.parameters(), { lr: 1e-3 });
      model.forward(T.randint(0, 13, [2, 8]), { targets: T.randint(0, 13, [2, 8]) }).loss!.backward();
      opt.step();
      assert.ok(be.heap.persistentBytes > before);
      opt.dispose();
      assert.equal(be.heap.persistentBytes, before);
      const x = be.allocPersistent(100)!;
      x.fill(7);
      assert.ok(be.heap.releasePersistent(x));
      assert.equal(be.heap.releasePersistent(x), false, 'a second release is ignored');
      assert.equal(be.heap.releasePersistent(new Float32Array(100)), false, 'so is an ordinary array');
      const y = be.allocPersistent(100)!;
      assert.equal(y.byteOffset, x.byteOffset, 'the same block, reused');
      assert.ok(y.every((v) => v === 0));
      model.dispose();
    } finally {
      resetBackend();
    }
  },
);
