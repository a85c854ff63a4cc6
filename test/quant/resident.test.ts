// Quantized weights in the backend's persistent storage (quant/resident.ts): with the shared-memory
// wasm backend a weight's codes, scales and zero points move into wasm memory with their values
// unchanged, the wasm product reads them there without placing a second copy, and its result
// equals dequantize-then-the-reference-gemm; QuantizedLinear and QuantizedEmbedding put their
// weights there; the plain backend leaves a weight as it is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { gemm as jsGemm } from '../../src/kernels/js/gemm.js';
import { getBackend, resetBackend, setBackend } from '../../src/kernels/backend.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { quantizeInt8 } from '../../src/quant/int8.js';
import { quantizeInt4 } from '../../src/quant/int4.js';
import { dequantizeWeight, type QuantWeight } from '../../src/quant/qmatmul.js';
import { residentWeight } from '../../src/quant/resident.js';
import { QuantizedLinear } from '../../src/quant/quantized-linear.js';
import { QuantizedEmbedding } from '../../src/quant/quantized-embedding.js';
import { rand, assertNear } from '../kernels/random.js';

const be = await createWasmBackend({ zeroCopy: true }); // shared memory: persistent storage offered

/** y = x Ŵᵀ with Ŵ dequantized by src/quant and the reference gemm. */
function reference(x: Float32Array, M: number, w: QuantWeight): Float32Array {
  const c = new Float32Array(M * w.rows);
  const b = dequantizeWeight(w).data;
  const [N, K] = [w.rows, w.cols];
  jsGemm({
    transA: false,
    transB: true,
    M,
    N,
    K,
    a: x,
    aOffset: 0,
    b,
    bOffset: 0,
    c,
    cOffset: 0,
    accumulate: false,
  });
  return c;
}

const arrays = (w: QuantWeight): ArrayBufferView[] =>
  'q' in w ? [w.q, w.scales] : [w.packed, w.scales, ...(w.zeros ? [w.zeros] : [])];

test('residentWeight: the same values in wasm memory; the wasm product reads them there, no second copy', () => {
  const rng = new Rng(7);
  const weights: QuantWeight[] = [
    quantizeInt8(rand(37 * 53, rng), 37, 53),
    quantizeInt4(
      rand(7 * 48, rng).map((v) => v + 0.3),
      7,
      48,
      { groupSize: 16, zeroPoint: true },
    ),
    quantizeInt4(rand(129 * 96, rng), 129, 96, { groupSize: 32 }),
  ];
  setBackend(be);
  try {
    for (const w of weights) {
      const r = residentWeight(w);
      const what = `${'q' in w ? 'int8' : `int4 g${w.groupSize}`} ${w.rows}x${w.cols}`;
      assert.deepEqual(
        arrays(r).map((a) => [...(a as Uint8Array)]),
        arrays(w).map((a) => [...(a as Uint8Array)]),
        `${what}: values`,
      );
      assert.ok(be.heap.owns(r.scales), `${what}: in wasm memory`);
      assert.ok(
        arrays(r).every((a) => a.buffer === r.scales.buffer && a.byteOffset % 16 === 0),
        what,
      );
      const before = be.heap.persistentBytes;
      for (const M of [1, 3, 70]) {
        const x = rand(M * w.cols, rng);
        const y = new Float32Array(M * w.rows);
        be.quantGemm({ M, x, xOffset: 0, w: r, y, yOffset: 0 });
        assertNear(y, reference(x, M, w), `${what} M=${M}`, 1e-5, Math.sqrt(w.cols) * 2e-6);
      }
      assert.equal(be.heap.persistentBytes, before, `${what}: the product placed no copy of its own`);
    }
    const lin = new QuantizedLinear(weights[0], null);
    const emb = new QuantizedEmbedding(weights[1]);
    assert.ok(
      be.heap.owns(lin.weightQ.scales) && be.heap.owns(emb.weightQ.scales),
      'the layers keep theirs there',
    );
  } finally {
    resetBackend();
  }
  assert.equal(getBackend().allocPersistent(4), null);
  assert.equal(residentWeight(weights[0]), weights[0], 'the plain backend: unchanged');
});
