// Attention patterns and the models that use them: the key lists equal the patterns' set
// definitions (and hand-worked examples from Child et al., 2019); a sliding-window layer equals
// full attention under the banded mask, forward and gradients, and PyTorch's; the rolling KV
// cache generates exactly what uncached generation does, past W tokens, holding W positions; a
// saved variant reloads through loadPretrained and `llmfs train`; bad input is one clear line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import {
  GPT,
  KVCache,
  MultiHeadAttention,
  causalMask,
  gptConfig,
  attentionPattern,
  keysOf,
  keyLists,
  patternMask,
  sees,
  PATTERN_KINDS,
  type AttentionPattern,
  type GPTConfigInput,
} from '../../src/model/index.js';
import { generate } from '../../src/generate/index.js';
import { saveModel, configFromJson } from '../../src/io/model-checkpoint.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { trainFromArgs } from '../../src/cli/train.js';
import { Rng } from '../../src/tensor/rng.js';
import { assertClose } from '../helpers/assert.js';

const pattern = (kind: string, W: number, c?: number): AttentionPattern => attentionPattern(kind, W, c)!;

test('key lists: hand-worked examples of each pattern', () => {
  assert.deepEqual(keysOf(pattern('sliding', 3), 5), [3, 4, 5]);
  assert.deepEqual(keysOf(pattern('sliding', 3), 1), [0, 1]);
  // strided, l = 3: the previous 3 positions, and every 3rd before them
  assert.deepEqual(keysOf(pattern('sparse-strided', 3), 7), [1, 4, 5, 6, 7]);
  assert.deepEqual(keysOf(pattern('sparse-strided', 3), 3), [0, 1, 2, 3]);
  assert.deepEqual(keysOf(pattern('sparse-strided', 4), 13), [1, 5, 9, 10, 11, 12, 13]);
  // fixed, l = 4: the own block, and the last c positions of each earlier block
  assert.deepEqual(keysOf(pattern('sparse-fixed', 4, 1), 9), [3, 7, 8, 9]);
  assert.deepEqual(keysOf(pattern('sparse-fixed', 4, 2), 9), [2, 3, 6, 7, 8, 9]);
  assert.deepEqual(keysOf(pattern('sparse-fixed', 4, 2), 2), [0, 1, 2]);
  assert.deepEqual(keysOf(pattern('full', 4), 3), [0, 1, 2, 3]);
});

test('key lists: built directly, they equal the set definitions for every query', () => {
  for (const kind of PATTERN_KINDS) {
    for (const W of [1, 2, 3, 5, 8]) {
      for (const c of kind === 'sparse-fixed' ? [1, Math.ceil(W / 2), W] : [1]) {
        const p = pattern(kind, W, c);
        for (let i = 0; i < 40; i++) {
          const want = Array.from({ length: i + 1 }, (_, j) => j).filter((j) => sees(p, i, j));
          assert.deepEqual(keysOf(p, i), want, `${kind} W=${W} c=${c} query ${i}`);
        }
      }
    }
  }
});

test('patterns: full is the causal mask, a window as wide as the context is full, and the mask equals the lists', () => {
  assert.deepEqual(patternMask(pattern('full', 3), 4, 6).data, causalMask(4, 6).data);
  assert.deepEqual(patternMask(pattern('sliding', 7), 7).data, causalMask(7).data);
  for (const kind of PATTERN_KINDS) {
    const p = pattern(kind, 3);
    const [Tq, Tk, kStart] = [3, 5, kind === 'sliding' ? 6 : 0];
    const m = patternMask(p, Tq, Tk, kStart);
    const { offsets, keys } = keyLists(p, Tq, Tk, kStart);
    for (let i = 0; i < Tq; i++) {
      const row = Array.from({ length: Tk }, (_, j) => j).filter((j) => m.data[i * Tk + j] === 1);
      assert.deepEqual([...keys.subarray(offsets[i], offsets[i + 1])], row, `${kind} query ${i}`);
    }
  }
  assert.throws(
    () => keyLists(pattern('sparse-strided', 3), 2, 4, 5),
    /needs the key at 1, but the keys start at 5/,
  );
});

/** Re-draws every weight with spread 0.3, so attention is sharp and a wrong mask shows in the values. */
function sharpen<M extends { namedParameters(): Iterable<[string, T.Tensor]> }>(m: M, seed: number): M {
  const rng = new Rng(seed);
  for (const [, p] of m.namedParameters()) for (let i = 0; i < p.size; i++) p.data[i] = 0.3 * rng.normal();
  return m;
}

const tinyConfig = (extra: Partial<GPTConfigInput>): GPTConfigInput => ({
  vocabSize: 13,
  blockSize: 24,
  nLayer: 2,
  nHead: 4,
  nKvHead: 2,
  nEmbd: 16,
  ...extra,
});
test('a sliding-window layer equals full attention with the banded mask, forward and every gradient', () => {
  const [B, Tn, C, W] = [2, 9, 12, 3];
  const opts = { nEmbd: C, nHead: 4, nKvHead: 2 };
  const full = sharpen(new MultiHeadAttention(opts), 1);
  const sliding = new MultiHeadAttention({ ...opts, pattern: pattern('sliding', W) });
  sliding.loadStateDict(full.stateDict());
  const band = new Float32Array(Tn * Tn); // 1 where i - W < j <= i, written here from the definition
  for (let i = 0; i < Tn; i++) for (let j = 0; j < Tn; j++) band[i * Tn + j] = j <= i && i - j < W ? 1 : 0;
  const run = (f: (x: T.Tensor) => T.Tensor, m: MultiHeadAttention) => {
    const x = T.randn([B, Tn, C], { rng: new Rng(2) }).requireGrad();
    const y = f(x);
    y.backward(T.randn(y.shape, { rng: new Rng(3) }));
    return { y, dx: x.grad!, grads: m.namedParameters().map(([n, p]) => [n, p.grad!] as const) };
  };
  const want = run((x) => full.forward(x, { mask: new T.Tensor(band, [Tn, Tn]) }), full);
  const got = run((x) => sliding.forward(x), sliding);
  assertClose(got.y.data, want.y.data, 1e-4, 1e-6, 'output');
  assertClose(got.dx.data, want.dx.data, 1e-4, 1e-6, 'input gradient');
  got.grads.forEach(([n, g], i) => assertClose(g.data, want.grads[i][1].data, 1e-4, 1e-6, `grad ${n}`));
  // The window matters: without the band, full attention gives other outputs.
  const plain = full.forward(T.randn([B, Tn, C], { rng: new Rng(2) }));
  assert.ok(plain.data.some((v, i) => Math.abs(v - got.y.data[i]) > 1e-3));
});

interface ModuleCase {
  config: { nEmbd: number; nHead: number; nKvHead: number; window: number };
  params: Record<string, { shape: number[]; values: number[] }>;
  x: { shape: number[]; values: number[] };
  y: number[];
  upstream: number[];
  xGrad: number[];
  grads: Record<string, number[]>;
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/sliding-golden.json', import.meta.url), 'utf8'))
  .cases.module_sliding as ModuleCase;

for (const path of ['sparse op', 'readable reference (weights recorded)']) {
  test(`torch golden: a sliding-window attention layer with GQA, output and every gradient (${path})`, () => {
    const { nEmbd, nHead, nKvHead, window } = golden.config;
    const m = new MultiHeadAttention({ nEmbd, nHead, nKvHead, pattern: pattern('sliding', window) });
    const sd: Record<string, T.Tensor> = {};
    for (const [k, p] of Object.entries(golden.params)) sd[k] = T.fromArray(p.values, p.shape);
    m.loadStateDict(sd);
    const x = T.fromArray(golden.x.values, golden.x.shape, { requiresGrad: true });
    const record = path === 'sparse op' ? undefined : {};
    const y = m.forward(x, { record });
    y.backward(T.fromArray(golden.upstream, y.shape));
    assertClose(y.data, golden.y, 1e-4, 1e-5, 'output');
    assertClose(x.grad!.data, golden.xGrad, 1e-4, 1e-5, 'input gradient');
    for (const [n, p] of m.namedParameters())
      assertClose(p.grad!.data, golden.grads[n], 1e-4, 1e-5, `grad ${n}`);
  });
}

for (const grad of [false, true]) {
  const how = grad ? 'with the graph kept' : 'without gradients';
  test(`rolling cache: a batch of 2 fed in chunks of 3, 1, 5 equals one pass, holding W positions (${how})`, () => {
    const [B, Tn, C, W] = [2, 9, 12, 3];
    const opts = { nEmbd: C, nHead: 4, nKvHead: 2, pattern: pattern('sliding', W) };
    const m = sharpen(new MultiHeadAttention(opts), 5);
    const x = T.randn([B, Tn, C], { rng: new Rng(6) });
    const run = <R>(f: () => R): R => (grad ? f() : T.noGrad(f));
    const whole = run(() => m.forward(x)); // (B, T, C)
    const cache = new KVCache(1);
    const parts: T.Tensor[] = [];
    let at = 0;
    for (const n of [3, 1, 5]) {
      parts.push(run(() => m.forward(x.narrow(1, at, n), { cache: cache.layers[0], start: at })));
      at += n;
      assert.equal(cache.length, at, 'positions seen');
      assert.equal(cache.layers[0].k!.shape[1], Math.min(at, W), 'positions held');
    }
    assertClose(T.cat(parts, 1).data, whole.data, 1e-5, 1e-6);
  });
}

test('a sliding GPT with a key-padding mask: cached chunks equal one masked pass', () => {
  const model = sharpen(new GPT(tinyConfig({ attention: 'sliding', window: 3 })), 9);
  const ids = T.tensor([
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
    [9, 8, 7, 6, 5, 4, 3, 2, 1],
  ]);
  const mask = T.tensor([
    [1, 1, 1, 1, 1, 1, 1, 1, 1],
    [1, 1, 0, 1, 0, 1, 1, 1, 1],
  ]);
  const whole = T.noGrad(() => model.forward(ids, { attentionMask: mask }).logits); // (B, T, V)
  const cache = new KVCache(model.config.nLayer);
  const parts: T.Tensor[] = [];
  let at = 0;
  for (const n of [4, 1, 4]) {
    const o = { cache, attentionMask: mask.narrow(1, 0, at + n) };
    parts.push(T.noGrad(() => model.forward(ids.narrow(1, at, n), o).logits));
    at += n;
  }
  assertClose(T.cat(parts, 1).data, whole.data, 1e-4, 1e-5);
  // The mask matters: without it the second row's logits differ.
  const unmasked = T.noGrad(() => model.forward(ids).logits);
  assert.ok(unmasked.data.some((v, i) => Math.abs(v - whole.data[i]) > 1e-3));
});

const PROMPT = [1, 5, 2, 7, 3, 9]; // longer than the window

for (const extra of [
  { attention: 'sliding', window: 4 },
  { attention: 'sliding', window: 4, positions: 'rope' },
  { attention: 'sliding', window: 1 },
  { attention: 'sparse-strided', window: 3 },
  { attention: 'sparse-fixed', window: 4 },
] as const) {
  const name = Object.entries(extra)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  test(`cached generation equals uncached generation beyond the window: ${name}`, () => {
    const model = sharpen(new GPT(tinyConfig(extra)), 7);
    const o = { maxNewTokens: 16, keepLogits: true, strategy: 'sample', seed: 3 } as const;
    const cached = generate(model, PROMPT, o);
    const uncached = generate(model, PROMPT, { ...o, useCache: false });
    assert.deepEqual(cached.ids, uncached.ids);
    cached.logits!.forEach((l, i) => assertClose(l, uncached.logits![i], 1e-4, 1e-5, `step ${i} logits`));
    const kvWidth = model.config.nKvHead * model.config.headDim;
    const positions = extra.attention === 'sliding' ? extra.window : PROMPT.length + 15;
    assert.equal(
      cached.cacheFloats,
      2 * model.config.nLayer * positions * kvWidth,
      'floats held by the cache',
    );
    // The pattern matters: the same weights with full attention continue differently.
    const full = new GPT(tinyConfig({ ...extra, attention: 'full' }));
    full.loadStateDict(model.stateDict());
    const fullLogits = generate(full, PROMPT, o).logits!;
    assert.ok(fullLogits.some((l, i) => l.some((v, j) => Math.abs(v - uncached.logits![i][j]) > 1e-3)));
  });
}

test('a saved sliding or sparse checkpoint reloads through loadPretrained and generates the same', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-patterns-'));
  for (const extra of [
    { attention: 'sliding', window: 5 },
    { attention: 'sparse-fixed', window: 4 },
  ] as const) {
    const model = sharpen(new GPT(tinyConfig(extra)), 11);
    const out = join(dir, extra.attention);
    saveModel(out, model);
    const saved = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(saved.attention, extra.attention);
    assert.equal(saved.window, extra.window);
    const back = loadPretrained(out).model;
    assert.equal(back.config.attention, extra.attention);
    assert.equal(back.config.window, extra.window);
    const o = { maxNewTokens: 12, keepLogits: true } as const;
    const a = generate(model, PROMPT, o);
    const b = generate(back, PROMPT, o);
    assert.deepEqual(b.ids, a.ids);
    b.logits!.forEach((l, i) => assertClose(l, a.logits![i], 1e-6, 1e-6, `step ${i}`));
  }
  // A full-attention checkpoint's config.json does not change.
  saveModel(join(dir, 'full'), new GPT(tinyConfig({})));
  const full = JSON.parse(readFileSync(join(dir, 'full', 'config.json'), 'utf8'));
  assert.equal('attention' in full || 'window' in full, false);
});

test('llmfs train --attention sliding --window 4: the run reloads as a sliding model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-patterns-train-'));
  const data = join(dir, 'data.txt');
  writeFileSync(data, 'the cat sat on the mat; the dog sat on the log. '.repeat(20));
  const out = join(dir, 'run');
  const argv = [
    '--data',
    data,
    '--preset',
    'tiny',
    '--block-size',
    '16',
    '--n-layer',
    '1',
    '--batch-size',
    '2',
  ];
  const more = ['--steps', '2', '--eval-interval', '2', '--eval-batches', '1', '--quiet', '--no-cache'];
  await trainFromArgs([...argv, ...more, '--attention', 'sliding', '--window', '4', '--out', out], {
    write: () => {},
  });
  const { model } = loadPretrained(join(out, 'last'));
  assert.equal(model.config.attention, 'sliding');
  assert.equal(model.config.window, 4);
  assert.equal(generate(model, [1, 2, 3], { maxNewTokens: 12 }).ids.length, 12);
  await assert.rejects(
    trainFromArgs([...argv, ...more, '--attention', 'sliding', '--window', '64', '--out', join(dir, 'b')], {
      write: () => {},
    }),
    /window 64 is larger than the context of 16/,
  );
  await assert.rejects(
    trainFromArgs([...argv, ...more, '--attention', 'dilated', '--out', join(dir, 'c')], { write: () => {} }),
    /--attention must be one of full, sliding, sparse-strided, sparse-fixed.*got 'dilated'/,
  );
});

test('bad input: a window larger than the context, an unknown pattern: one clear line each', () => {
  const base = { vocabSize: 10, blockSize: 128, nLayer: 1, nHead: 2, nEmbd: 8 };
  const line = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  const tooWide = line(() => gptConfig({ ...base, attention: 'sliding', window: 512 }));
  assert.equal(tooWide, 'GPT config: window 512 is larger than the context of 128; give 1..128');
  assert.match(
    line(() => gptConfig({ ...base, window: 0 })),
    /^GPT config: window must be a positive integer, got 0$/,
  );
  const unknown = line(() => gptConfig({ ...base, attention: 'dilated' as 'full' }));
  assert.match(
    unknown,
    /^GPT config: attention must be one of full, sliding, sparse-strided, sparse-fixed.*got 'dilated'$/,
  );
  const raw = { model_type: 'llmfs-gpt', ...base, attention: 'sliding', window: 512 };
  assert.match(
    line(() => configFromJson(raw, 'checkpoint x: config.json')),
    /^checkpoint x: config.json: GPT config: window 512 is larger than the context of 128/,
  );
  for (const msg of [tooWide, unknown]) assert.equal(msg.includes('\n'), false);
  assert.throws(() => attentionPattern('sparse-fixed', 4, 5), /summary width must be in 1\.\.4, got 5/);
  const m = new MultiHeadAttention({ nEmbd: 8, nHead: 2, pattern: pattern('sliding', 2) });
  assert.throws(() => m.forward(T.randn([1, 3, 8]), { causal: false }), /sliding pattern is causal/);
});
