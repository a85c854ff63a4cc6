// The logit lens against references: at the last layer it is the model's own output (tied,
// untied and int8-quantized heads), at the embeddings it equals LayerNorm and the tied head
// written out as plain loops in float64, and its KL and rank follow their definitions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { manualSeed, globalRng } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { idTensor, lensLogits, logitLens } from '../../src/diagnose/logit-lens.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { quantizeModel } from '../../src/quant/quantize-model.js';

const IDS = [3, 17, 4, 4, 29, 11, 0, 8];

function model(tieWeights: boolean): GPT {
  manualSeed(5);
  const m = new GPT({ vocabSize: 32, blockSize: 16, nLayer: 3, nHead: 2, nEmbd: 16, tieWeights }).eval();
  // Norms away from (1, 0), so the lens has to apply ln_f's weight and bias.
  for (const [name, p] of m.namedParameters())
    if (name.includes('ln_')) for (let i = 0; i < p.size; i++) p.data[i] += 0.3 * globalRng.normal();
  return m;
}

function record(m: GPT): { residuals: Tensor[]; logits: Tensor } {
  const residuals: Tensor[] = [];
  const { logits } = noGrad(() => m.forward(idTensor(IDS), { recordResiduals: residuals }));
  return { residuals, logits };
}

function softmax(xs: ArrayLike<number>): number[] {
  const a = Array.from(xs);
  const mx = Math.max(...a);
  const e = a.map((x) => Math.exp(x - mx));
  const s = e.reduce((p, q) => p + q, 0);
  return e.map((x) => x / s);
}

const HEADS: [string, () => GPT][] = [
  ['tied', () => model(true)],
  ['untied', () => model(false)],
  [
    'int8, tied to the quantized table',
    () => {
      const m = model(true);
      quantizeModel(m, { bits: 8 });
      return m;
    },
  ],
];

for (const [kind, make] of HEADS) {
  test(`last layer's lens equals the model's logits (${kind} head)`, () => {
    const m = make();
    const { residuals, logits } = record(m);
    assert.equal(residuals.length, 4);
    const lens = lensLogits(m, residuals[3]);
    assert.deepEqual(lens.shape, logits.shape);
    for (let i = 0; i < logits.size; i++) assert.ok(Math.abs(lens.data[i] - logits.data[i]) < 1e-5);
    const L = logitLens(m, residuals, 3);
    const V = 32;
    IDS.forEach((_, t) => {
      const p = softmax(logits.data.subarray(t * V, (t + 1) * V));
      const order = p.map((x, v) => [x, v]).sort((a, b) => b[0] - a[0]);
      const top = L.layers[3].top[t];
      assert.deepEqual(
        top.map((x) => x.id),
        order.slice(0, 3).map((x) => x[1]),
      );
      top.forEach((x, k) => assert.ok(Math.abs(x.prob - order[k][0]) < 1e-5));
      assert.ok(L.layers[3].kl[t] < 1e-9);
      assert.equal(L.layers[3].rank[t], 1);
    });
    assert.deepEqual(
      L.layers.map((l) => l.name),
      ['embeddings', 'block 0', 'block 1', 'block 2'],
    );
  });
}

test("the embeddings' lens equals ln_f then the tied head, written as loops", () => {
  const m = model(true);
  const { residuals } = record(m);
  const P = new Map(m.namedParameters());
  const [wte, wpe, g, b] = ['wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias'].map(
    (n) => P.get(n)!.data,
  );
  const C = 16;
  const V = 32;
  const lens = lensLogits(m, residuals[0]).data;
  IDS.forEach((id, t) => {
    const x = Array.from({ length: C }, (_, c) => wte[id * C + c] + wpe[t * C + c]);
    const mu = x.reduce((a, v) => a + v, 0) / C;
    const varc = x.reduce((a, v) => a + (v - mu) ** 2, 0) / C;
    const y = x.map((v, c) => ((v - mu) / Math.sqrt(varc + 1e-5)) * g[c] + b[c]);
    for (let v = 0; v < V; v++) {
      let z = 0;
      for (let c = 0; c < C; c++) z += y[c] * wte[v * C + c];
      assert.ok(Math.abs(lens[t * V + v] - z) < 1e-4, `t ${t} v ${v}: ${lens[t * V + v]} vs ${z}`);
    }
  });
});

test('KL(final || layer) and the rank of the final top-1 follow their definitions', () => {
  const m = model(false);
  const { residuals } = record(m);
  const L = logitLens(m, residuals, 32);
  const V = 32;
  const fin = lensLogits(m, residuals[3]).data;
  const mid = lensLogits(m, residuals[1]).data;
  IDS.forEach((_, t) => {
    const p = softmax(fin.subarray(t * V, (t + 1) * V));
    const q = softmax(mid.subarray(t * V, (t + 1) * V));
    const kl = p.reduce((a, pv, v) => a + pv * Math.log(pv / q[v]), 0);
    assert.ok(Math.abs(L.layers[1].kl[t] - kl) < 1e-5);
    const best = p.indexOf(Math.max(...p));
    // The full top-V list is the layer's ranking; the final top-1 sits at `rank`.
    assert.equal(L.layers[1].top[t].findIndex((x) => x.id === best) + 1, L.layers[1].rank[t]);
    assert.equal(L.layers[1].rank[t], q.filter((x) => x > q[best]).length + 1);
  });
});
