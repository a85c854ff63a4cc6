// GPTConfig.headDim: a head size independent of nEmbd / nHead (what head pruning keeps, and what
// Qwen3-style models use). The attention, the RoPE tables, the parameter shapes and validation
// follow it; without it nothing changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { GPT, gptConfig } from '../../src/model/index.js';
import { gptParameterCount, gptParameterShapes } from '../../src/model/param-shapes.js';
import { LlmfsError } from '../../src/errors.js';

const tiny = { vocabSize: 16, blockSize: 8, nLayer: 1, nHead: 4, nEmbd: 16 };

test('headDim: defaults to nEmbd / nHead, and may differ from it (nh·hs ≠ C)', () => {
  assert.equal(gptConfig(tiny).headDim, 4);
  for (const extra of [
    { headDim: 8 },
    { headDim: 6, nHead: 3 },
    { headDim: 8, positions: 'rope' as const },
  ]) {
    manualSeed(3);
    const m = new GPT({ ...tiny, ...extra });
    const hs = m.config.headDim;
    const nh = m.config.nHead;
    assert.deepEqual(m.h.at(0).attn.c_attn!.weight.shape, [3 * nh * hs, 16]);
    assert.deepEqual(m.h.at(0).attn.c_proj.weight.shape, [16, nh * hs]);
    assert.deepEqual(
      m.namedParameters().map(([n, p]) => [n, p.shape]),
      gptParameterShapes(m.config).map((p) => [p.name, p.shape]),
    );
    assert.equal(m.numParameters(), gptParameterCount(m.config));
    const logits = noGrad(() => m.forward(T.tensor([[1, 2, 3, 4, 5]])).logits);
    assert.deepEqual(logits.shape, [1, 5, 16]);
    assert.ok([...logits.data].every(Number.isFinite));
  }
});

test('headDim: a bad head size is one clear error; an explicit one lifts the divisibility rule', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ headDim: 0 }, /headDim must be a positive integer, got 0/],
    [{ headDim: 2.5 }, /headDim must be a positive integer, got 2.5/],
    [{ headDim: 5, positions: 'rope' }, /RoPE needs an even head size, got 5/],
    [{ nHead: 3 }, /nEmbd 16 must be divisible by nHead 3/],
  ];
  for (const [extra, re] of bad)
    assert.throws(
      () => gptConfig({ ...tiny, ...extra }),
      (e: Error) => e instanceof LlmfsError && re.test(e.message),
    );
  assert.equal(gptConfig({ ...tiny, nHead: 3, headDim: 4 }).nHead, 3);
});
