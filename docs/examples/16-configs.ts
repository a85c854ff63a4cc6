// Chapter 16, example: six published config.json files (16-published-configs.ts) read by our
// parsers into GPTConfig, and what each costs, computed from the config alone (no weight is
// allocated): the switches each family sets, parameters, and the KV cache per token.
//   npx tsx docs/examples/16-configs.ts

import { PUBLISHED_CONFIGS } from './16-published-configs.js';
import { gptConfigFromHf } from '../../src/io/hf-gpt2.js';
import { llamaConfigFromHf } from '../../src/io/hf-llama-config.js';
import type { GPTConfig } from '../../src/model/config.js';
import { modelSize } from '../../src/model/param-count.js';

const configOf = (raw: Record<string, unknown>): GPTConfig =>
  raw.model_type === 'gpt2' ? gptConfigFromHf(raw).config : llamaConfigFromHf(raw).config;
const n = (x: number) => x.toLocaleString('en-US');
const mib = (bytes: number) => n(Math.round(bytes / 2 ** 20));
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

// 1. The GPTConfig switches each config.json selects.
console.log(
  row([
    'model',
    'norm',
    'positions (θ)',
    'MLP (H/C)',
    'heads q/kv × hs',
    'biases',
    'tied',
    'QK-norm',
    'attention',
  ]),
);
console.log(row(['---', '---', '---', '---', '---', '---', '---', '---', '---']));
for (const [name, raw] of Object.entries(PUBLISHED_CONFIGS)) {
  const c = configOf(raw);
  const pos =
    c.positions === 'rope'
      ? `rope (${n(c.ropeBase)}${c.ropeScaling ? `, ${c.ropeScaling.type} ×${c.ropeScaling.factor}` : ''})`
      : c.positions;
  const biases = c.bias ? 'all' : c.qkvBias ? 'q, k, v' : 'none';
  const attention = c.attention === 'sliding' ? `sliding W = ${n(c.window)}` : c.attention;
  const mlp = `${c.mlp} (${(c.mlpHidden / c.nEmbd).toFixed(2)})`;
  console.log(
    row([
      name,
      c.norm,
      pos,
      mlp,
      `${c.nHead}/${c.nKvHead} × ${c.headDim}`,
      biases,
      c.tieWeights ? 'yes' : 'no',
      c.qkNorm ? 'yes' : 'no',
      attention,
    ]),
  );
}
console.log();

// 2. Sizes: parameters, and the KV cache per token and at the longest context, at 16 bits a value.
console.log(
  row(['model', 'L', 'C', 'V', 'parameters', 'embeddings', 'KV bytes/token', 'KV at context (MiB)']),
);
console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
for (const [name, raw] of Object.entries(PUBLISHED_CONFIGS)) {
  const c = configOf(raw);
  const s = modelSize(c, 2);
  const ctx = `${mib(s.kvBytesPerToken * s.kvMaxTokens)} (${n(s.kvMaxTokens)})`;
  console.log(
    row([
      name,
      c.nLayer,
      n(c.nEmbd),
      n(c.vocabSize),
      n(s.parameters),
      n(s.embedding),
      n(s.kvBytesPerToken),
      ctx,
    ]),
  );
}
