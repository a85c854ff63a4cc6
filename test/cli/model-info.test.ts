// `llmfs model info` from a config alone: gptParameterShapes gives exactly the names and shapes of
// the built GPT (tied/untied head, GQA, SwiGLU, RMSNorm, no bias, RoPE), so gpt2-xl's table needs
// no weights; stray words, -h and a run directory given as --model.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GPT, type GPTConfigInput } from '../../src/model/index.js';
import { gptParameterShapes, gptParameterCount } from '../../src/model/param-shapes.js';
import { moduleTable, namedShapes } from '../../src/cli/model.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'llmfs.mjs');
const llmfs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

const base: GPTConfigInput = { vocabSize: 37, blockSize: 16, nLayer: 2, nHead: 4, nEmbd: 32 };
const configs: [string, GPTConfigInput][] = [
  ['GPT-2 layout (tied head, learned positions)', base],
  ['untied head', { ...base, tieWeights: false }],
  ['grouped-query attention (2 kv heads)', { ...base, nKvHead: 2 }],
  ['multi-query attention', { ...base, nKvHead: 1 }],
  [
    'SwiGLU MLP, RMSNorm, RoPE, no bias (Llama-like)',
    {
      ...base,
      mlp: 'swiglu',
      norm: 'rmsnorm',
      positions: 'rope',
      bias: false,
      mlpHidden: 48,
      tieWeights: false,
    },
  ],
  ['LayerNorm without bias, sinusoidal positions', { ...base, bias: false, positions: 'sinusoidal' }],
  ['no positions, 3 layers', { ...base, positions: 'none', nLayer: 3 }],
  ['q/k/v biases only (Qwen2)', { ...base, bias: false, qkvBias: true, norm: 'rmsnorm', mlp: 'swiglu' }],
];

for (const [what, config] of configs) {
  test(`model info: the parameters from the config equal the built model's: ${what}`, () => {
    const model = new GPT(config);
    const built = model.namedParameters().map(([name, p]) => ({ name, shape: p.shape, noDecay: p.noDecay }));
    assert.deepEqual(
      gptParameterShapes(config).map((p) => ({ ...p })),
      built,
    );
    assert.equal(gptParameterCount(config), model.numParameters());
    const fromConfig = gptParameterShapes(config).map((p) => ({ ...p, frozen: false }));
    assert.deepEqual(moduleTable(fromConfig), moduleTable(namedShapes(model)));
  });
}

test('model info: the published GPT-2 sizes come from the configs alone', () => {
  const sizes: [string, number][] = [
    ['gpt2', 124_439_808],
    ['gpt2-medium', 354_823_168],
    ['gpt2-large', 774_030_080],
    ['gpt2-xl', 1_557_611_200],
  ];
  for (const [preset, n] of sizes) {
    const r = llmfs('model', 'info', '--preset', preset, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).parameters, n, preset);
  }
});
