// Quantizing while loading (loadPretrained's `quantize`): on every Llama-family fixture the model
// equals the float load quantized afterwards (quantizeModel): the same codes and scales, the same
// logits bit for bit, also when the token table is read a slab of rows at a time; int8 logits stay within 5% of the float model's largest |logit|; the float
// parameters alive at once never exceed one block's (the float model is never whole); GPT-2
// directories and our checkpoints take the load-then-quantize path; misuse is refused in one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { loadPretrained, type LoadQuantize } from '../../src/io/load-pretrained.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { quantizedModules, quantizeModel } from '../../src/quant/quantize-model.js';
import { isInt8 } from '../../src/quant/qmatmul.js';
import { getBackend, setBackend } from '../../src/kernels/backend.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { GPT } from '../../src/model/gpt.js';
import { gptFromHfLlama } from '../../src/io/hf-llama.js';
import { openHfWeights } from '../../src/io/hf-shards.js';
import { ROOT, tempDir, TINY } from '../interop/helpers.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'hf-llama');
const FAMILIES = ['llama', 'qwen2', 'qwen3', 'mistral'];
/** int4 groups of 32 divide every width of these two (llama's 48 and qwen2's 80 are refused below). */
const INT4 = new Set(['qwen3', 'mistral']);
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as Record<
  string,
  Record<'short' | 'long', { ids: number[] }>
>;

const logitsOf = (model: GPT, ids: number[]): Float32Array =>
  noGrad(() => model.forward(tensor([ids])).logits.data as Float32Array);

/** Every quantized module's name, codes, scales and zero points. */
function codes(model: GPT): unknown[] {
  return quantizedModules(model).map(([name, m]) => {
    const w = m.weightQ;
    return isInt8(w) ? [name, w.q, w.scales] : [name, w.packed, w.scales, w.zeros, w.groupSize];
  });
}

function loadThenQuantize(dir: string, q: LoadQuantize): GPT {
  const { model } = loadPretrained(dir);
  quantizeModel(model, q === 'int8' ? { bits: 8 } : { bits: 4, groupSize: 32 });
  return model;
}

function assertSame(a: GPT, b: GPT, ids: number[][], what: string): void {
  const ca = codes(a);
  assert.ok(ca.length > 0, `${what}: quantized`);
  assert.deepEqual(ca, codes(b), `${what}: codes and scales`);
  assert.deepEqual(
    a.namedParameters().map(([n, p]) => [n, p.data]),
    b.namedParameters().map(([n, p]) => [n, p.data]),
    `${what}: the float parameters left (norms, biases)`,
  );
  for (const x of ids) assert.deepEqual(logitsOf(a, x), logitsOf(b, x), `${what}: logits bit for bit`);
}

test('quantize on load equals load-then-quantize on every Llama-family fixture (int8, int4)', () => {
  for (const name of FAMILIES) {
    const dir = join(FIXTURE, name);
    const ids = [golden[name].short.ids, golden[name].long.ids];
    for (const q of ['int8', 'int4'] as const) {
      if (q === 'int4' && !INT4.has(name)) continue;
      const p = loadPretrained(dir, { quantize: q });
      assert.equal(p.quantized, q);
      assert.deepEqual(
        quantizedModules(p.model).map(([n]) => n),
        quantizedModules(loadThenQuantize(dir, q)).map(([n]) => n),
      );
      assertSame(p.model, loadThenQuantize(dir, q), ids, `${name} ${q}`);
    }
  }
});

test('the token table read and quantized a slab of rows at a time gives the same codes (1 row, ~7 rows)', () => {
  for (const name of FAMILIES) {
    const dir = join(FIXTURE, name);
    const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as unknown;
    for (const q of ['int8', 'int4'] as const) {
      if (q === 'int4' && !INT4.has(name)) continue;
      const o = q === 'int8' ? ({ bits: 8 } as const) : ({ bits: 4, groupSize: 32 } as const);
      for (const slabFloats of [1, 250]) {
        const files = openHfWeights(dir);
        let most = 0; // the most floats of a table read at once
        const table = <T extends { size: number }>(n: string, t: T): T => {
          if (/embed_tokens|lm_head/.test(n)) most = Math.max(most, t.size);
          return t;
        };
        const src = {
          tensors: files.tensors,
          read: (n: string) => table(n, files.read(n)),
          readRows: (n: string, r0: number, r1: number) => table(n, files.readRows(n, r0, r1)),
        };
        try {
          const { model } = gptFromHfLlama(raw, src, 'config.json', { quantize: o, slabFloats });
          const cols = model.config.nEmbd;
          assert.equal(
            most,
            Math.max(1, Math.floor(slabFloats / cols)) * cols,
            `${name}: slabs of whole rows`,
          );
          assertSame(
            model,
            loadThenQuantize(dir, q),
            [golden[name].short.ids],
            `${name} ${q} slabs of ${slabFloats}`,
          );
        } finally {
          files.close();
        }
      }
    }
  }
});

test('int8 on load: logits within 5% of the float model largest |logit|', (t) => {
  for (const name of FAMILIES) {
    const dir = join(FIXTURE, name);
    const f = loadPretrained(dir).model;
    const q = loadPretrained(dir, { quantize: 'int8' }).model;
    for (const which of ['short', 'long'] as const) {
      const ids = golden[name][which].ids;
      const [a, b] = [logitsOf(f, ids), logitsOf(q, ids)];
      let worst = 0;
      let spread = 0;
      for (let i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
        spread = Math.max(spread, Math.abs(a[i]));
      }
      assert.ok(worst <= 0.05 * spread, `${name} ${which}: max |Δ logit| ${worst} vs largest ${spread}`);
      t.diagnostic(
        `${name} ${which}: max |Δ logit| ${worst.toFixed(3)} (${((100 * worst) / spread).toFixed(1)}%)`,
      );
    }
  }
});

/** Float32 parameter storage alive at once while `fn` runs (a backend that counts its allocations). */
function peakFloats(fn: () => void): { peak: number; live: number } {
  const prev = getBackend();
  const held = new WeakSet<Float32Array>();
  let live = 0;
  let peak = 0;
  setBackend({
    ...prev,
    name: 'counting',
    allocPersistent: (n) => {
      const x = new Float32Array(n);
      held.add(x);
      live += n;
      peak = Math.max(peak, live);
      return x;
    },
    releasePersistent: (x) => {
      if (held.delete(x)) live -= x.length;
    },
  });
  try {
    fn();
  } finally {
    setBackend(prev);
  }
  return { peak, live };
}

test('quantize on load never holds the float model: at most one block of float parameters at once', (t) => {
  for (const name of FAMILIES) {
    const dir = join(FIXTURE, name);
    let model: GPT | null = null;
    const float = peakFloats(() => void (model = loadPretrained(dir).model));
    const m = model as unknown as GPT;
    const total = m.namedParameters().reduce((n, [, p]) => n + p.size, 0);
    const block = Math.max(...[...m.h].map((b) => b.namedParameters().reduce((n, [, p]) => n + p.size, 0)));
    assert.ok(float.peak >= total, `${name}: the float load holds all ${total} floats`);
    const q = peakFloats(() => void loadPretrained(dir, { quantize: 'int8' }));
    // One block's floats, plus what stays: the norms and biases (float) and the codes and scales,
    // which the backend's persistent storage also holds (quant/resident.ts); never the float model.
    assert.ok(
      q.peak <= block + q.live,
      `${name}: ${q.peak} floats alive at once; one block has ${block}, ${q.live} stay`,
    );
    assert.ok(q.peak < 0.75 * total, `${name}: ${q.peak} floats at once, the float model has ${total}`);
    t.diagnostic(`${name}: peak ${q.peak} of ${total} (block ${block}, staying ${q.live})`);
  }
});

test('GPT-2 directories and our checkpoints: load then quantize, the same as quantizeModel', () => {
  const ids = [[1, 5, 9, 2, 7]];
  assertSame(loadPretrained(TINY, { quantize: 'int8' }).model, loadThenQuantize(TINY, 'int8'), ids, 'gpt2');
  const dir = tempDir('load-quantized');
  try {
    const model = new GPT({ vocabSize: 40, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32 });
    saveModel(dir, model);
    for (const q of ['int8', 'int4'] as const) {
      const p = loadPretrained(dir, { quantize: q });
      assert.equal(p.quantized, q);
      assertSame(p.model, loadThenQuantize(dir, q), ids, `ours ${q}`);
    }
    // An already quantized checkpoint is refused rather than quantized twice.
    const qdir = join(dir, 'q');
    const qm = loadThenQuantize(dir, 'int8');
    saveModel(qdir, qm);
    assert.throws(
      () => loadPretrained(qdir, { quantize: 'int8' }),
      (e: Error) =>
        e instanceof LlmfsError &&
        /is already quantized \(int8\); load it without --quantize/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('quantize on load: training, adapters, unknown kinds and widths a group cannot divide are refused in one line', () => {
  const dir = join(FIXTURE, 'qwen2');
  const refused = (o: Parameters<typeof loadPretrained>[1], re: RegExp): void =>
    assert.throws(
      () => loadPretrained(dir, o),
      (e: Error) => e instanceof LlmfsError && re.test(e.message) && !e.message.includes('\n'),
    );
  refused(
    { quantize: 'int8', forTraining: 'finetune instruct' },
    /^finetune instruct: --quantize int8 is for inference/,
  );
  refused(
    { quantize: 'int8', adapter: '/nowhere' },
    /--quantize int8 cannot take --adapter: merge the adapter first/,
  );
  refused({ quantize: 'int3' as LoadQuantize }, /^--quantize: expected int8 or int4, got "int3"/);
  refused({ quantize: 'int4' }, /a group of 32 does not divide the 80 columns/);
});
