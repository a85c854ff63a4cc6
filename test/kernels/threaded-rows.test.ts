// Row-wise and elementwise kernels split across two threads (src/kernels/threads/rows.ts) give
// the bits of one thread, on odd row counts and odd lengths, straight on the exports and through
// the backend; 30 training steps on two threads give the loss curve of one thread exactly and
// that of the reference backend within float tolerance.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeWasmBackend, spawnNodeWorker } from '../../src/kernels/threads/node.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { compileKernels, instantiate, newMemory } from '../../src/kernels/wasm/module.js';
import { ThreadPool } from '../../src/kernels/threads/pool.js';
import { threadedRowKernels } from '../../src/kernels/threads/rows.js';
import { resetBackend, setBackend, type Backend } from '../../src/kernels/backend.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { GPT } from '../../src/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { randint } from '../../src/tensor/creation.js';
import { Rng, manualSeed } from '../../src/tensor/rng.js';
import { rand, assertNear } from './random.js';

const one = await createWasmBackend({ threads: 1 });
const two = await createNodeWasmBackend({ threads: 2 });
after(() => {
  two.close();
  resetBackend();
});

// odd row counts, odd and unit row lengths; every one above the threading thresholds
const shapes: [number, number][] = [
  [1333, 129],
  [2021, 65],
  [131101, 1],
  [137, 1031],
];

test('threaded rows: the split exports equal one thread bit for bit, worker slabs included', async () => {
  // a pool of one worker and a slab threshold of 0, so even small calls are split
  const km = compileKernels({ shared: true });
  const memory = newMemory(true);
  const k = instantiate(km.module, memory);
  const work = k.heapBase();
  const pool = await ThreadPool.start(1, spawnNodeWorker, km.module, memory, [work + 8]);
  try {
    const t = threadedRowKernels(k, pool, 2, { transcendental: 0, binary: 0 });
    memory.grow(256); // 16 MiB for the arrays below
    const f32 = new Float32Array(memory.buffer);
    let top = (work + 1024) >> 2;
    const alloc = (n: number, rng: Rng) => {
      const p = top * 4;
      f32.set(rand(n, rng, 4), top);
      top += n + 4;
      return p;
    };
    const rng = new Rng(3);
    for (const [rows, cols] of [
      [4099, 7],
      [131, 129],
      [100003, 1],
    ] as const) {
      const n = rows * cols;
      const [x, dy, w, b] = [n, n, cols, cols].map((m) => alloc(m, rng));
      const outs = () => [n, n, rows, rows].map((m) => alloc(m, rng));
      const [y1, y2] = [outs(), outs()];
      const same = (a: number, c: number, m: number, what: string) =>
        assert.deepEqual(f32.subarray(a >> 2, (a >> 2) + m), f32.subarray(c >> 2, (c >> 2) + m), what);
      for (const [kk, label] of [
        [k, 'one'],
        [t, 'two'],
      ] as const) {
        const [y, dx, mean, rstd] = label === 'one' ? y1 : y2;
        kk.layerNormForward(x, w, b, y, mean, rstd, rows, cols, 1e-5);
        kk.softmaxBackward(x, dy, dx, rows, cols);
      }
      same(y1[0], y2[0], n, `layer norm y ${rows}x${cols}`);
      same(y1[2], y2[2], rows, `layer norm mean ${rows}x${cols}`);
      same(y1[3], y2[3], rows, `layer norm rstd ${rows}x${cols}`);
      same(y1[1], y2[1], n, `softmax backward ${rows}x${cols}`);
      k.binary(2, x, 0, w, 2, y1[1], rows, cols); // x * w, w one row repeated
      t.binary(2, x, 0, w, 2, y2[1], rows, cols);
      same(y1[1], y2[1], n, `binary ${rows}x${cols}`);
      k.geluTanhBackward(x, dy, y1[0], n);
      t.geluTanhBackward(x, dy, y2[0], n);
      same(y1[0], y2[0], n, `gelu backward ${n}`);
    }
  } finally {
    pool.close();
  }
});

/** Runs `f` on the one-thread and the two-thread backend on copies of `inputs`; returns both. */
function both(inputs: Float32Array[], f: (be: Backend, xs: Float32Array[]) => void): Float32Array[][] {
  return [one, two].map((be) => {
    const xs = inputs.map((x) => x.slice());
    f(be, xs);
    return xs;
  });
}

test('threaded rows: softmax, log-softmax, layer norm and GELU on two threads give the bits of one', () => {
  assert.equal(two.threads, 2);
  const rng = new Rng(1);
  for (const [rows, cols] of shapes) {
    const n = rows * cols;
    const x = rand(n, rng, 6);
    const dy = rand(n, rng);
    const w = rand(cols, rng);
    const b = rand(cols, rng);
    const z = () => new Float32Array(n);
    for (const fn of ['softmax', 'logSoftmax'] as const) {
      const [a, c] = both([z(), z()], (be, [y, dx]) => {
        be[`${fn}Forward`](x, y, rows, cols);
        be[`${fn}Backward`](y, dy, dx, rows, cols);
      });
      assert.deepEqual(c, a, `${fn} ${rows}x${cols}`);
    }
    const [a, c] = both([z(), new Float32Array(rows), new Float32Array(rows)], (be, [y, m, r]) =>
      be.layerNormForward(x, w, b, y, m, r, rows, cols, 1e-5),
    );
    assert.deepEqual(c, a, `layer norm ${rows}x${cols}`);
    const [g1, g2] = both([z(), z()], (be, [y, dx]) => {
      be.geluTanhForward(x, y);
      be.geluTanhBackward(x, dy, dx);
    });
    assert.deepEqual(g2, g1, `gelu ${n}`);
  }
});

test('threaded rows: binary ops in every broadcast mode and AdamW give the bits of one', () => {
  const rng = new Rng(2);
  for (const [rows, cols] of shapes) {
    const n = rows * cols;
    const a = rand(n, rng);
    // operands: a full block, one value, one row repeated, one value per row
    const operands: [Float32Array, number[]][] = [
      [rand(n, rng), [cols, 1]],
      [rand(1, rng), [0, 0]],
      [rand(cols, rng), [0, 1]],
      [rand(rows, rng), [1, 0]],
    ];
    for (const [bx, bs] of operands) {
      for (const op of ['add', 'mul', 'div', 'maximum'] as const) {
        const [o1, o2] = both([new Float32Array(n)], (be, [out]) =>
          be.binary(op, a, [cols, 1], bx, bs, out, [rows, cols]),
        );
        assert.deepEqual(o2, o1, `${op} ${rows}x${cols} strides ${bs}`);
      }
    }
    const g = rand(n, rng);
    const [s1, s2] = both(
      [rand(n, new Rng(9)), new Float32Array(n), new Float32Array(n)],
      (be, [p, m, v]) => {
        for (let step = 1; step <= 3; step++) be.adamw(p, g, m, v, 1e-3, 0.9, 0.95, 1e-8, 0.1, step);
      },
    );
    assert.deepEqual(s2, s1, `adamw ${n}`);
  }
});

test('threaded rows: 30 training steps on two threads equal one thread exactly, and the reference closely', () => {
  const losses = (be: Backend | null): number[] => {
    if (be) setBackend(be);
    else resetBackend();
    manualSeed(5);
    // GELU sees 12·33·256 elements: split across the threads
    const model = new GPT({ vocabSize: 101, blockSize: 33, nLayer: 2, nHead: 2, nEmbd: 64 });
    const opt = new AdamW(model.parameters(), { lr: 3e-3 });
    const idx = randint(0, 101, [12, 33], { rng: new Rng(1) });
    const targets = randint(0, 101, [12, 33], { rng: new Rng(2) });
    const out: number[] = [];
    for (let i = 0; i < 30; i++) {
      const { loss } = model.forward(idx, { targets });
      loss!.backward();
      opt.step();
      opt.zeroGrad();
      out.push(loss!.item());
    }
    resetBackend();
    return out;
  };
  const fast2 = losses(two);
  const fast1 = losses(one);
  const reference = losses(null);
  assert.deepEqual(fast2, fast1, 'two threads give the loss curve of one');
  assertNear(fast2, reference, 'loss curve against the reference backend', 1e-3, 1e-4);
  assert.ok(fast2[29] < fast2[0] - 0.5, `the loss falls (${fast2[0]} -> ${fast2[29]})`);
});
