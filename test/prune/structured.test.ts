// Structured pruning: a model with heads (or neurons) removed computes what the original computes
// with those heads' (neurons') outputs set to zero, has fewer parameters, and saves and loads as an
// ordinary checkpoint. The gate-gradient importance is checked against central finite differences.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { GPT } from '../../src/model/index.js';
import { gptParameterCount } from '../../src/model/param-shapes.js';
import { saveModel, loadModel } from '../../src/io/model-checkpoint.js';
import { gptToHf } from '../../src/io/hf-gpt2.js';
import { LlmfsError } from '../../src/errors.js';
import {
  removeHeads,
  removeNeurons,
  headImportance,
  neuronImportance,
  gateGradients,
  leastImportant,
} from '../../src/prune/index.js';

const tiny = { vocabSize: 16, blockSize: 8, nLayer: 2, nHead: 4, nEmbd: 16 };
const ids = T.tensor([
  [1, 5, 2, 9, 3, 3, 7, 0],
  [4, 4, 8, 15, 6, 2, 1, 11],
]);
const targets = T.tensor([
  [5, 2, 9, 3, 3, 7, 0, 12],
  [4, 8, 15, 6, 2, 1, 11, 10],
]);
const tokens = Uint16Array.from({ length: 300 }, (_, i) => (i * i + 3 * i) % 16);

function model(config: Partial<typeof tiny> & Record<string, unknown> = {}): GPT {
  manualSeed(11);
  return new GPT({ ...tiny, ...config }).eval();
}

function logits(m: GPT): Float32Array {
  return noGrad(() => m.forward(ids).logits.data.slice() as Float32Array);
}

/** Zeroes columns `cols` of a (rows, cols) parameter: the inputs they read contribute nothing. */
function zeroCols(m: GPT, name: string, cols: number[]): void {
  const p = m.namedParameters().find(([n]) => n === name)![1];
  const width = p.shape[1];
  for (let r = 0; r < p.shape[0]; r++) for (const c of cols) p.data[r * width + c] = 0;
}

function assertClose(a: Float32Array, b: Float32Array, tol: number): void {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst <= tol, `max |difference| ${worst} > ${tol}`);
}

test('head pruning: the pruned model equals the original with the same heads masked to zero', () => {
  const orig = model();
  const scores = headImportance(orig, { tokens, batches: 3, batchSize: 2 });
  const { model: pruned, removed } = removeHeads(orig, 2, scores);
  assert.deepEqual(
    removed,
    scores.map((s) => leastImportant(s, 2)),
  );
  assert.equal(pruned.config.nHead, 2);
  assert.equal(pruned.config.headDim, 4);
  const masked = model();
  const hs = 4;
  removed.forEach((heads, l) =>
    zeroCols(
      masked,
      `h.${l}.attn.c_proj.weight`,
      heads.flatMap((h) => [0, 1, 2, 3].map((d) => h * hs + d)),
    ),
  );
  assertClose(logits(pruned), logits(masked), 1e-5);
  // Each layer lost 2 heads: 3·hs rows of c_attn (C + 1 numbers each) and hs columns of c_proj (C each).
  const lost = tiny.nLayer * 2 * (3 * hs * (16 + 1) + hs * 16);
  assert.equal(pruned.numParameters(), orig.numParameters() - lost);
  assert.equal(pruned.numParameters(), gptParameterCount(pruned.config));
});

test('neuron pruning: the pruned model equals the original with the same neurons masked to zero', () => {
  for (const kind of ['gradient', 'norm'] as const) {
    const orig = model();
    const scores = neuronImportance(orig, { kind, tokens, batches: 2, batchSize: 2 });
    const { model: pruned, removed } = removeNeurons(orig, 0.25, scores);
    assert.equal(pruned.config.mlpHidden, 48);
    const masked = model();
    removed.forEach((js, l) => zeroCols(masked, `h.${l}.mlp.c_proj.weight`, js));
    assertClose(logits(pruned), logits(masked), 1e-5);
    assert.equal(pruned.numParameters(), orig.numParameters() - tiny.nLayer * 16 * (16 + 1 + 16));
  }
});

test('neuron pruning: SwiGLU models lose the gate rows too', () => {
  const orig = model({ mlp: 'swiglu' });
  const scores = neuronImportance(orig, { kind: 'norm' });
  const { model: pruned, removed } = removeNeurons(orig, 0.5, scores);
  const masked = model({ mlp: 'swiglu' });
  removed.forEach((js, l) => zeroCols(masked, `h.${l}.mlp.c_proj.weight`, js));
  assertClose(logits(pruned), logits(masked), 1e-5);
});

test('head pruning: RoPE models keep their head size (the rotary tables follow headDim)', () => {
  const orig = model({ positions: 'rope' });
  const { model: pruned, removed } = removeHeads(orig, 1, headImportance(orig, { kind: 'norm' }));
  const masked = model({ positions: 'rope' });
  removed.forEach((heads, l) =>
    zeroCols(
      masked,
      `h.${l}.attn.c_proj.weight`,
      heads.flatMap((h) => [0, 1, 2, 3].map((d) => h * 4 + d)),
    ),
  );
  assertClose(logits(pruned), logits(masked), 1e-5);
});

test('head pruning: the pruned model saves and loads as an ordinary checkpoint (headDim in config.json)', () => {
  const orig = model();
  const { model: pruned } = removeHeads(orig, 3, headImportance(orig, { kind: 'norm' }));
  const dir = join(mkdtempSync(join(tmpdir(), 'llmfs-prune-')), 'pruned');
  saveModel(dir, pruned);
  const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(json.nHead, 1);
  assert.equal(json.headDim, 4);
  const back = loadModel(dir).model;
  assert.deepEqual(back.config, pruned.config);
  assert.deepEqual(logits(back), logits(pruned));
  // An unpruned model's config.json does not mention headDim (nEmbd / nHead is implied).
  saveModel(dir, orig);
  assert.equal('headDim' in JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), false);
});

test('head pruning: the HF GPT-2 export refuses a head size its config cannot state', () => {
  const orig = model();
  const { model: pruned } = removeHeads(orig, 1, headImportance(orig, { kind: 'norm' }));
  assert.throws(
    () => gptToHf(pruned),
    (e: Error) => e instanceof LlmfsError && /head size 4 x 3 heads ≠ n_embd 16/.test(e.message),
  );
  const { model: thinner } = removeNeurons(orig, 0.5, neuronImportance(orig, { kind: 'norm' }));
  assert.equal(gptToHf(thinner).config.n_inner, 32); // neuron pruning exports (n_inner)
});

test('importance: the head and neuron gate gradients equal central finite differences', () => {
  const m = model();
  // GPT-2's init makes every head's contribution tiny; larger weights give gradients worth checking.
  for (const [name, p] of m.namedParameters())
    if (name.includes('c_proj.weight')) p.data.forEach((v, i) => (p.data[i] = 20 * v));
  const g = gateGradients(m, ids, targets);
  const loss = (): number => noGrad(() => m.forward(ids, { targets }).loss!.item());
  /** Scales the columns of `name` by `f` (the gate ξ = f), returns the loss, restores them. */
  const gated = (name: string, cols: number[], f: number): number => {
    const p = m.namedParameters().find(([n]) => n === name)![1];
    const saved = p.data.slice();
    for (let r = 0; r < p.shape[0]; r++) for (const c of cols) p.data[r * p.shape[1] + c] *= f;
    const l = loss();
    p.data.set(saved);
    return l;
  };
  const eps = 1e-2; // the loss is smooth in ξ; central differences err by O(eps²)
  for (let l = 0; l < 2; l++) {
    for (let h = 0; h < 4; h++) {
      const cols = [0, 1, 2, 3].map((d) => h * 4 + d);
      const name = `h.${l}.attn.c_proj.weight`;
      const fd = (gated(name, cols, 1 + eps) - gated(name, cols, 1 - eps)) / (2 * eps);
      assert.ok(
        Math.abs(fd - g.heads[l][h]) <= 3e-5 + 1e-2 * Math.abs(fd),
        `head ${l}.${h}: ${g.heads[l][h]} vs ${fd}`,
      );
    }
    for (const j of [0, 7, 33, 63]) {
      const name = `h.${l}.mlp.c_proj.weight`;
      const fd = (gated(name, [j], 1 + eps) - gated(name, [j], 1 - eps)) / (2 * eps);
      assert.ok(
        Math.abs(fd - g.neurons[l][j]) <= 3e-5 + 1e-2 * Math.abs(fd),
        `neuron ${l}.${j}: ${g.neurons[l][j]} vs ${fd}`,
      );
    }
  }
  assert.ok(
    g.heads.flat().some((v) => Math.abs(v) > 2e-3),
    `the gradients are not all ~0: ${g.heads.flat()}`,
  );
  assert.ok(
    g.neurons.flat().some((v) => Math.abs(v) > 2e-4),
    'neuron gradients not all ~0',
  );
});

test('structured pruning: bad requests are one clear error each', () => {
  const m = model();
  const hs = headImportance(m, { kind: 'norm' });
  const ns = neuronImportance(m, { kind: 'norm' });
  const cases: [() => unknown, RegExp][] = [
    [
      () => removeHeads(m, 4, hs),
      /cannot remove 4 heads per layer: each layer has 4, at least one must stay/,
    ],
    [() => removeHeads(m, 9, hs), /cannot remove 9 heads per layer/],
    [() => removeHeads(m, -1, hs), /whole number >= 0/],
    [() => removeNeurons(m, 1, ns), /neuron fraction must be in \[0, 1\), got 1/],
    [() => removeNeurons(m, -0.5, ns), /neuron fraction must be in \[0, 1\)/],
    [() => headImportance(m), /needs text \(--data\)/],
  ];
  const gqa = model({ nKvHead: 2 });
  cases.push([
    () => removeHeads(gqa, 1, headImportance(gqa, { kind: 'norm' })),
    /grouped-query model \(nKvHead 2 < nHead 4\)/,
  ]);
  for (const [f, re] of cases)
    assert.throws(f, (e: Error) => e instanceof LlmfsError && re.test(e.message), String(re));
});
