// QK-norm (Dehghani et al., 2023; OLMo 2; Qwen3): RMSNorm over each head's queries and keys
// before the scores, one learned weight of size hs shared by the heads. Checked against PyTorch,
// by its defining property (the scores no longer depend on the scale of W_q and W_k), and end to
// end: `llmfs train --qk-norm` (and --attention linear, --positions alibi) saves checkpoints that
// reload as the same variant and generate.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { GPT, KVCache, MultiHeadAttention } from '../../src/model/index.js';
import { generate } from '../../src/generate/index.js';
import { loadModel } from '../../src/io/model-checkpoint.js';
import { trainFromArgs } from '../../src/cli/train.js';
import { runGenerate } from '../../src/cli/generate.js';
import { assertClose } from '../helpers/assert.js';
import { checkGptCase } from './variant-golden.js';
import { gptToHf } from '../../src/io/hf-gpt2.js';
import { checkGpt2Layout } from '../../src/io/gguf/gpt2-gguf.js';

test('torch golden: a 2-layer GPT with QK-norm, RMSNorm and RoPE, logits, loss and every gradient', () => {
  checkGptCase('gpt_qknorm');
});

test('QK-norm: one weight of size hs per projection, named q_norm/k_norm, starting at 1', () => {
  T.manualSeed(1);
  const m = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 4, nEmbd: 16, qkNorm: true });
  const named = new Map(m.namedParameters());
  for (const l of [0, 1]) {
    for (const n of ['q_norm', 'k_norm']) {
      const w = named.get(`h.${l}.attn.${n}.weight`);
      assert.deepEqual(w?.shape, [4]);
      assert.deepEqual(Array.from(w!.data), [1, 1, 1, 1]);
    }
  }
  const plain = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 4, nEmbd: 16 });
  assert.equal(named.size - [...plain.namedParameters()].length, 4);
});

test('QK-norm: attention no longer depends on the scale of W_q and W_k (without it, it does)', () => {
  for (const qkNorm of [true, false]) {
    T.manualSeed(3);
    const mha = new MultiHeadAttention({ nEmbd: 8, nHead: 2, bias: false, qkNorm, normEps: 1e-12 });
    const x = T.randn([2, 5, 8]);
    const before = T.noGrad(() => mha.forward(x));
    // scale the query rows of c_attn by 7 and the key rows by 0.2
    T.noGrad(() => {
      const w = mha.c_attn!.weight.data; // (3C, C)
      for (let i = 0; i < 8 * 8; i++) w[i] *= 7;
      for (let i = 8 * 8; i < 16 * 8; i++) w[i] *= 0.2;
    });
    const after = T.noGrad(() => mha.forward(x));
    let diff = 0;
    for (let i = 0; i < after.size; i++) diff = Math.max(diff, Math.abs(after.data[i] - before.data[i]));
    if (qkNorm) assert.ok(diff < 1e-5, `QK-norm output moved by ${diff}`);
    else assert.ok(diff > 1e-3, `plain attention should depend on the scale, moved by ${diff}`);
  }
});

test('QK-norm: the scores are those of unit-RMS heads times the gains (a hand computation of one head)', () => {
  T.manualSeed(4);
  const mha = new MultiHeadAttention({ nEmbd: 4, nHead: 1, bias: false, qkNorm: true, normEps: 1e-6 });
  T.noGrad(() => {
    mha.q_norm!.weight.data.set([1, 2, 0.5, 1]);
    mha.k_norm!.weight.data.set([0.5, 1, 1, 3]);
  });
  const x = T.randn([1, 3, 4]);
  const y = T.noGrad(() => mha.forward(x));
  const [q, k, v] = T.noGrad(() => mha.project(x)); // (1, 3, 4) each
  const unit = (row: number[], g: readonly number[]) => {
    const rms = Math.sqrt(row.reduce((a, b) => a + b * b, 0) / row.length + 1e-6);
    return row.map((r, d) => (r / rms) * g[d]);
  };
  const rows = (t: T.Tensor) => [0, 1, 2].map((i) => Array.from(t.data.slice(i * 4, i * 4 + 4)));
  const qs = rows(q).map((r) => unit(r, [1, 2, 0.5, 1]));
  const ks = rows(k).map((r) => unit(r, [0.5, 1, 1, 3]));
  const vs = rows(v);
  const heads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = ks.slice(0, i + 1).map((kj) => kj.reduce((a, kd, d) => a + kd * qs[i][d], 0) / 2);
    const e = s.map((z) => Math.exp(z - Math.max(...s)));
    const Z = e.reduce((a, b) => a + b, 0);
    for (let d = 0; d < 4; d++) heads.push(e.reduce((a, w, j) => a + (w / Z) * vs[j][d], 0));
  }
  const expected = T.noGrad(() => mha.c_proj.forward(T.fromArray(heads, [1, 3, 4])));
  assertClose(y.data, expected.data, 1e-5, 1e-6);
});

test('QK-norm GPT with RoPE: cached logits equal the full forward', () => {
  T.manualSeed(5);
  const m = new GPT({
    vocabSize: 11,
    blockSize: 12,
    nLayer: 2,
    nHead: 2,
    nEmbd: 8,
    positions: 'rope',
    qkNorm: true,
  });
  T.noGrad(() => {
    for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 5;
  });
  m.eval();
  const ids = [1, 4, 9, 2, 7, 3];
  const full = T.noGrad(() => m.forward(T.tensor([ids])).logits);
  const cache = new KVCache(2);
  const parts = T.noGrad(() => [
    m.forward(T.tensor([ids.slice(0, 2)]), { cache }).logits,
    ...ids.slice(2).map((id) => m.forward(T.tensor([[id]]), { cache }).logits),
  ]);
  assertClose(T.cat(parts, 1).data, full.data, 1e-4, 1e-5);
});

test('llmfs train --attention linear --qk-norm / --positions alibi: checkpoints reload as the variant and generate', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'llmfs-variants-'));
  try {
    const data = join(tmp, 'data.txt');
    writeFileSync(data, 'the cat sat on the mat; the dog sat on the log. '.repeat(20));
    const common = [
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
    const variants: [string, string[], (m: GPT) => void][] = [
      [
        'linear',
        ['--attention', 'linear', '--qk-norm'],
        (m) => {
          assert.equal(m.config.attention, 'linear');
          assert.equal(m.config.qkNorm, true);
        },
      ],
      ['alibi', ['--positions', 'alibi'], (m) => assert.equal(m.config.positions, 'alibi')],
    ];
    for (const [name, flags, check] of variants) {
      const out = join(tmp, name);
      await trainFromArgs([...common, ...flags, ...more, '--out', out], { write: () => {} });
      const { model } = loadModel(join(out, 'best')); // the run's best checkpoint
      check(model);
      let text = '';
      const code = runGenerate(
        ['--model', join(out, 'best'), '--prompt', 'the ', '--max-new-tokens', '6'],
        (s) => (text += s),
      );
      assert.equal(code, 0);
      assert.ok(
        text.startsWith('the ') && text.length >= 'the '.length + 6,
        `generated ${JSON.stringify(text)}`,
      );
      const lib = generate(model, [1, 2, 3], { maxNewTokens: 4 });
      assert.equal(lib.ids.length, 4);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('export: GPT-2 formats refuse linear attention, QK-norm and ALiBi with one clear line', () => {
  const base = { vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
  assert.throws(() => gptToHf(new GPT({ ...base, attention: 'linear' })), /attention is 'linear'/);
  assert.throws(() => gptToHf(new GPT({ ...base, qkNorm: true })), /it has QK-norm/);
  assert.throws(() => gptToHf(new GPT({ ...base, positions: 'alibi' })), /positions are 'alibi'/);
  for (const c of [{ attention: 'linear' as const }, { qkNorm: true }, { positions: 'alibi' as const }])
    assert.throws(() => checkGpt2Layout(new GPT({ ...base, ...c }).config), /export gguf: (the )?attention/);
});
