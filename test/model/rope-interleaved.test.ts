// RoPE's two layouts against PyTorch (scripts/make-llama-fixtures.py): Meta's interleaved form,
// computed there by complex multiplication, and HF's rotate_half form on weights permuted as
// convert_llama_weights_to_hf.py permutes them; both give the same attention scores.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { linear } from '../../src/tensor/ops/matmul.js';
import { applyRope, ropeTables } from '../../src/model/rope.js';
import { applyRopeInterleaved, permuteForRotateHalf } from '../../src/model/rope-interleaved.js';

interface RopeGolden {
  T: number;
  C: number;
  nHead: number;
  headDim: number;
  theta: number;
  x: number[];
  wq: number[];
  wk: number[];
  wqHf: number[];
  qMeta: number[];
  kMeta: number[];
  qHf: number[];
  scores: number[];
}
const g = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'hf-llama', 'rope-interleaved.json'), 'utf8'),
) as RopeGolden;
const { T, C, nHead: nh, headDim: hs } = g;
const x = new Tensor(Float32Array.from(g.x), [T, C]);
const wq = new Tensor(Float32Array.from(g.wq), [nh * hs, C]);
const wk = new Tensor(Float32Array.from(g.wk), [nh * hs, C]);

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) < tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

/** scores[h, i, j] = q_i · k_j of head h, from (T, nh, hs) rotated q and k. */
function scores(q: Tensor, k: Tensor): number[] {
  const out: number[] = [];
  for (let h = 0; h < nh; h++)
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++) {
        let s = 0;
        for (let d = 0; d < hs; d++) s += q.data[(i * nh + h) * hs + d] * k.data[(j * nh + h) * hs + d];
        out.push(s);
      }
  return out;
}

const metaQ = applyRopeInterleaved(linear(x, wq).reshape(T, nh, hs), g.theta);
const metaK = applyRopeInterleaved(linear(x, wk).reshape(T, nh, hs), g.theta);
const tables = ropeTables(T, hs, g.theta);
const hfQ = applyRope(linear(x, permuteForRotateHalf(wq, nh)).reshape(1, T, nh, hs), tables, 0, true);
const hfK = applyRope(linear(x, permuteForRotateHalf(wk, nh)).reshape(1, T, nh, hs), tables, 0, true);

test("rope interleaved: pairs (2i, 2i+1) rotate as Meta's complex-number apply_rotary_emb", () => {
  close(metaQ.data, g.qMeta, 'q');
  close(metaK.data, g.kMeta, 'k');
});

test("rope interleaved: permuteForRotateHalf moves rows as convert_llama_weights_to_hf.py's permute", () => {
  close(permuteForRotateHalf(wq, nh).data, g.wqHf, 'wq', 1e-7);
  close(permuteForRotateHalf(permuteForRotateHalf(wq, nh), nh, true).data, wq.data, 'inverse', 1e-9);
});

test('rope interleaved: rotate_half on permuted weights is the same rotation, channels reordered', () => {
  close(hfQ.data, g.qHf, 'q (HF)');
  // channel h·hs + j·hs/2 + i of HF's rotated q is channel h·hs + 2i + j of Meta's
  const perm = permuteForRotateHalf(
    metaQ
      .reshape(T * nh, hs)
      .transpose(0, 1)
      .contiguous(),
    1,
  );
  close(perm.transpose(0, 1).contiguous().data, hfQ.data, 'q reordered');
});

test('rope interleaved: both layouts give PyTorch attention scores q·k', () => {
  close(scores(metaQ, metaK), g.scores, 'scores (interleaved)', 1e-4);
  close(scores(hfQ.reshape(T, nh, hs), hfK.reshape(T, nh, hs)), g.scores, 'scores (rotate_half)', 1e-4);
});
