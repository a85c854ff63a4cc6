// A wasm memory that cannot grow (capped here at 8 MiB, as a 2 GiB one is by `--preset gpt2` at
// a large batch): persistent storage falls back to ordinary arrays and every kernel whose copies
// do not fit runs the reference kernel, with the reference's numbers; never a RangeError.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { HeapFull } from '../../src/kernels/wasm/heap.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { resetBackend, setBackend } from '../../src/kernels/backend.js';
import { GPT } from '../../src/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { randint } from '../../src/tensor/creation.js';
import { Rng, manualSeed } from '../../src/tensor/rng.js';
import { rand, assertNear } from './random.js';

const PAGES = 128; // 8 MiB
const be = await createWasmBackend({ maxMemoryPages: PAGES });
after(() => {
  resetBackend();
  be.close();
});

test('full heap: scratch past the cap throws HeapFull and leaves the heap as it was', () => {
  const mark = be.heap.mark();
  try {
    assert.throws(() => be.heap.alloc(16 * 2 ** 20), HeapFull);
    assert.ok(be.heap.memory.buffer.byteLength <= PAGES * 65536);
    const ptr = be.heap.alloc(1024); // still usable
    assert.equal(ptr, mark);
  } finally {
    be.heap.release(mark);
  }
  assert.equal(be.allocPersistent(4 * 2 ** 20), null, 'too large for the heap: an ordinary array instead');
});

test('full heap: gemm, softmax, layer norm, GELU, binary and AdamW on arrays too large to copy in', () => {
  const rng = new Rng(3);
  // gemm: A, B, C of 1024x1024 floats are 12 MiB of copies, more than the whole memory
  const M = 1024;
  const a = rand(M * M, rng);
  const b = rand(M * M, rng);
  const c = new Float32Array(M * M);
  const ref = new Float32Array(M * M);
  const args = { transA: false, transB: true, M, N: M, K: M, aOffset: 0, bOffset: 0, cOffset: 0 };
  be.gemm({ ...args, a, b, c, accumulate: false });
  jsBackend.gemm({ ...args, a, b, c: ref, accumulate: false });
  assertNear(c, ref, 'gemm', 1e-4, 1e-4);

  const n = 3 * 2 ** 20; // 12 MiB per array
  const x = rand(n, rng);
  const [y, yr] = [new Float32Array(n), new Float32Array(n)];
  be.softmaxForward(x, y, n / 1024, 1024);
  jsBackend.softmaxForward(x, yr, n / 1024, 1024);
  assertNear(y, yr, 'softmax', 1e-5, 1e-7);
  be.geluTanhForward(x, y);
  jsBackend.geluTanhForward(x, yr);
  assertNear(y, yr, 'gelu', 1e-5, 1e-6);
  const w = rand(1024, rng);
  const bias = rand(1024, rng);
  const [mean, rstd, mr, rr] = [0, 0, 0, 0].map(() => new Float32Array(n / 1024));
  be.layerNormForward(x, w, bias, y, mean, rstd, n / 1024, 1024, 1e-5);
  jsBackend.layerNormForward(x, w, bias, yr, mr, rr, n / 1024, 1024, 1e-5);
  assertNear(y, yr, 'layer norm', 1e-5, 1e-5);
  const x2 = rand(n, rng);
  be.binary('add', x, [1], x2, [1], y, [n]);
  jsBackend.binary('add', x, [1], x2, [1], yr, [n]);
  assertNear(y, yr, 'add', 0, 0);
  const [p, pr] = [rand(n, new Rng(5)), rand(n, new Rng(5))];
  const [m, v, mr2, vr] = [0, 0, 0, 0].map(() => new Float32Array(n));
  be.adamw(p, x2, m, v, 1e-3, 0.9, 0.95, 1e-8, 0.1, 1);
  jsBackend.adamw(pr, x2, mr2, vr, 1e-3, 0.9, 0.95, 1e-8, 0.1, 1);
  assertNear(p, pr, 'adamw', 1e-6, 1e-7);
});

test('full heap: a training step too large for the wasm memory runs, and matches the reference', () => {
  const step = () => {
    manualSeed(7);
    const model = new GPT({ vocabSize: 256, blockSize: 64, nLayer: 1, nHead: 4, nEmbd: 256 });
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const idx = randint(0, 256, [32, 64], { rng: new Rng(1) });
    const targets = randint(0, 256, [32, 64], { rng: new Rng(2) });
    const losses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { loss } = model.forward(idx, { targets }); // logits alone: 32*64*256 floats = 2 MiB
      loss!.backward();
      opt.step();
      opt.zeroGrad();
      losses.push(loss!.item());
    }
    return losses;
  };
  setBackend(be);
  const fast = step();
  resetBackend();
  const reference = step();
  assertNear(fast, reference, 'losses', 1e-4, 1e-5);
  assert.ok(be.heap.memory.buffer.byteLength <= PAGES * 65536);
});
