// The fused single-token decoding step (src/generate/fast-decode.ts) changes speed, never results:
// its logits equal the tensor forward's at every step (cached and uncached) on odd shapes, tied and
// untied heads, grouped-query attention, on the reference and the wasm backends (1 and 2 threads);
// greedy tokens are identical with it on and off; models and calls it does not cover fall back.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generate, beamSearch, gptLm, Stepper } from '../../src/generate/index.js';
import { setFastDecode, fastDecodeStats } from '../../src/generate/fast-decode.js';
import { GPT, type GPTConfigInput } from '../../src/model/index.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { createNodeWasmBackend } from '../../src/kernels/threads/node.js';
import { resetBackend, setBackend, type Backend } from '../../src/kernels/backend.js';
import { quantizeModel } from '../../src/quant/quantize-model.js';
import { referenceOf, withImplementations } from '../../src/exercises/registry.js';
import * as T from '../../src/tensor/index.js';
import { assertClose } from '../helpers/assert.js';

const ODD: GPTConfigInput = { vocabSize: 37, blockSize: 24, nLayer: 3, nHead: 5, nEmbd: 40 };

const one = await createWasmBackend({ threads: 1 });
const two = await createNodeWasmBackend({ threads: 2 });
after(() => {
  two.close();
  resetBackend();
  setFastDecode(true);
});

/** A random model with weights scaled up, so greedy choices are far from ties. */
function model(seed: number, extra: Partial<GPTConfigInput> = {}): GPT {
  T.manualSeed(seed);
  const m = new GPT({ ...ODD, ...extra });
  T.noGrad(() => {
    for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 4;
  });
  return m.eval();
}

/** Runs `body` on a backend, then restores the reference backend and the fast path. */
function on<R>(backend: Backend | null, body: () => R): R {
  if (backend) setBackend(backend);
  try {
    return body();
  } finally {
    resetBackend();
    setFastDecode(true);
  }
}

/** generate() with the fused step on or off; also returns how many fused steps ran. */
function run(m: GPT, fast: boolean, o: Parameters<typeof generate>[2] = {}) {
  setFastDecode(fast);
  const before = fastDecodeStats.steps;
  const r = generate(m, [3, 1, 4], { maxNewTokens: 22, keepLogits: true, repetitionPenalty: 3, ...o });
  return { ...r, fused: fastDecodeStats.steps - before };
}

const backends: [string, Backend | null][] = [
  ['reference', null],
  ['wasm, 1 thread', one],
  ['wasm, 2 threads', two],
];
const shapes: [string, Partial<GPTConfigInput>][] = [
  ['tied head', {}],
  ['untied head', { tieWeights: false }],
  ['head size 6 (nh·hs 30 ≠ C 40), MLP width 52', { headDim: 6, mlpHidden: 52 }],
  [
    'grouped-query attention (nHead 6, nKvHead 2, nEmbd 42), no biases',
    { nHead: 6, nKvHead: 2, nEmbd: 42, bias: false },
  ],
];

for (const [bname, backend] of backends) {
  for (const [sname, extra] of shapes) {
    test(`fast decode (${bname}, ${sname}): logits equal the tensor forward at every step, tokens identical`, () =>
      on(backend, () => {
        const m = model(1, extra);
        const fast = run(m, true);
        const plain = run(m, false);
        const uncached = run(m, false, { useCache: false });
        assert.equal(fast.fused, 21, 'every step after the prompt ran fused');
        assert.equal(plain.fused, 0);
        assert.equal(fast.logits!.length, 22);
        fast.logits!.forEach((l, i) => {
          assertClose(l, plain.logits![i], 1e-5, 1e-5, `step ${i} vs the cached forward`);
          assertClose(l, uncached.logits![i], 1e-4, 1e-4, `step ${i} vs the uncached forward`);
        });
        assert.deepEqual(fast.ids, plain.ids);
        assert.deepEqual(fast.ids, uncached.ids);
        assert.ok(new Set(fast.ids).size > 10, `a varied continuation: ${fast.ids}`);
        assert.equal(fast.cacheFloats, plain.cacheFloats);
      }));
  }
}

test('fast decode: a model built on the reference backend decodes the same on wasm (decoder rebuilt)', () => {
  const m = model(2);
  const ref = run(m, true);
  on(one, () => {
    const w = run(m, true);
    assert.equal(w.fused, 21);
    w.logits!.forEach((l, i) => assertClose(l, ref.logits![i], 1e-5, 1e-5, `step ${i}`));
    assert.deepEqual(w.ids, ref.ids);
  });
});

for (const keep of [24, 16]) {
  test(`fast decode: sliding past the context window (keep ${keep}) rebuilds and continues as the forward`, () =>
    on(one, () => {
      const o = { maxNewTokens: 40, overflow: 'slide' as const, keep };
      const fast = run(model(3), true, o);
      const plain = run(model(3), false, o);
      assert.ok(fast.fused > 0 && fast.fused < 40, `some steps fused, rebuilds not: ${fast.fused}`);
      fast.logits!.forEach((l, i) => assertClose(l, plain.logits![i], 1e-5, 1e-5, `step ${i}`));
      assert.deepEqual(fast.ids, plain.ids);
    }));
}

test('fast decode: models it does not cover fall back and give the forward tokens', () => {
  const cases: [string, () => GPT][] = [
    ['RoPE + RMSNorm', () => model(4, { positions: 'rope', norm: 'rmsnorm' })],
    ['SwiGLU', () => model(4, { mlp: 'swiglu' })],
    ['exact GELU', () => model(4, { activation: 'gelu' })],
    ['sliding-window attention', () => model(4, { attention: 'sliding', window: 8 })],
    [
      'int8-quantized',
      () => {
        const m = model(4);
        quantizeModel(m, { bits: 8 });
        return m;
      },
    ],
  ];
  for (const [name, make] of cases) {
    const m = make();
    const fast = run(m, true);
    const plain = run(m, false);
    assert.equal(fast.fused, 0, `${name}: no fused step`);
    assert.deepEqual(fast.ids, plain.ids, name);
  }
});

test("fast decode: a learner's exercise on the skipped path (gelu, layerNorm) turns it off", () => {
  const m = model(5);
  const plain = run(m, false);
  for (const fns of [{ gelu: referenceOf('gelu') }, { layerNorm: referenceOf('layerNorm') }]) {
    const fast = withImplementations(fns, () => run(m, true));
    assert.equal(fast.fused, 0, Object.keys(fns)[0]);
    assert.deepEqual(fast.ids, plain.ids);
  }
});

test('fast decode: beam search (B > 1 after the first step) gives the same hypotheses', () => {
  const m = model(6);
  const search = (fast: boolean) => {
    setFastDecode(fast);
    return beamSearch(m, [2, 7], { beams: 3, maxNewTokens: 10, numReturnSequences: 3 });
  };
  const fast = search(true);
  const plain = search(false);
  setFastDecode(true);
  assert.deepEqual(
    fast.map((h) => h.ids),
    plain.map((h) => h.ids),
  );
  fast.forEach((h, i) => assert.ok(Math.abs(h.score - plain[i].score) < 1e-4));
});

test('fast decode: B = 2 runs the forward; reordering rows hands the fused rows back to the cache', () => {
  const m = model(7);
  const lm = gptLm(m);
  const steps = (fast: boolean): Float32Array[] => {
    setFastDecode(fast);
    const s = new Stepper(lm);
    const out: Float32Array[] = [];
    out.push(...s.start([[1, 2, 3]]));
    for (const t of [4, 5, 6]) out.push(...s.append([t])); // fused
    s.select([0, 0]); // B = 2: the rows come back into the KV cache
    for (const t of [7, 8]) out.push(...s.append([t, t + 1]));
    s.select([1]); // B = 1 again: fused after the cache's rows are loaded
    for (const t of [9, 10, 11]) out.push(...s.append([t]));
    return out;
  };
  const before = fastDecodeStats.steps;
  const fast = steps(true);
  assert.equal(fastDecodeStats.steps - before, 6);
  const plain = steps(false);
  setFastDecode(true);
  assert.equal(fast.length, plain.length);
  fast.forEach((l, i) => assertClose(l, plain[i], 1e-5, 1e-5, `output ${i}`));
});

test('fast decode: two caches of one model take turns without mixing their keys', () =>
  on(one, () => {
    const m = model(8);
    const lm = gptLm(m);
    const a = new Stepper(lm);
    const b = new Stepper(lm);
    const la = [a.start([[1, 2]])[0]];
    const lb = [b.start([[5, 6, 7]])[0]];
    for (const t of [3, 4, 5]) {
      la.push(a.append([t])[0]);
      lb.push(b.append([t + 5])[0]);
    }
    assert.equal(a.cache!.length, 5);
    assert.equal(b.cache!.length, 6);
    setFastDecode(false);
    const ra = generate(m, [1, 2], { maxNewTokens: 1, keepLogits: true });
    const full = (rows: number[]) => T.noGrad(() => m.forward(T.tensor([rows])).logits); // (1, T, V)
    const V = m.config.vocabSize;
    const fa = full([1, 2, 3, 4, 5]).data;
    const fb = full([5, 6, 7, 8, 9, 10]).data;
    assertClose(la[0], ra.logits![0], 1e-5, 1e-5, 'a prompt');
    la.forEach((l, i) => assertClose(l, fa.subarray((i + 1) * V, (i + 2) * V), 1e-4, 1e-4, `a step ${i}`));
    lb.forEach((l, i) => assertClose(l, fb.subarray((i + 2) * V, (i + 3) * V), 1e-4, 1e-4, `b step ${i}`));
  }));
