// Chapter 3's runnable example: token embeddings, and the three ways positions enter a GPT.
//   npx tsx docs/examples/03-positions.ts

import {
  Embedding,
  manualSeed,
  tensor,
  sinusoidalTable,
  ropeTables,
  applyRope,
  randn,
  Rng,
} from '../../src/index.js';

manualSeed(0);
// A token embedding is a lookup table: row i is the vector of token i.
const wte = new Embedding(10, 4); // V = 10 tokens, C = 4 channels
const ids = tensor([[3, 1, 3]]); // (B=1, T=3)
const x = wte.forward(ids); // (1, 3, 4)
console.log(
  'embedding shape',
  x.shape,
  '- the same id gives the same row:',
  x.narrow(1, 0, 1).toList().join() === x.narrow(1, 2, 1).toList().join(),
);

// Without positions, attention sees a bag of tokens: "dog bites man" = "man bites dog".
// Sinusoidal encodings (Vaswani et al., 2017): one clock per channel pair, each slower.
const pe = sinusoidalTable(6, 4); // (T=6, C=4)
console.log('sinusoidal PE, positions 0..5, channels (sin, cos) at two frequencies:');
for (const row of pe.toArray() as number[][])
  console.log('  ' + row.map((v) => v.toFixed(3).padStart(6)).join(' '));

// RoPE rotates queries and keys by their position; their dot product then depends only on the offset.
const tables = ropeTables(64, 8);
const q = randn([1, 1, 1, 8], { rng: new Rng(1) });
const k = randn([1, 1, 1, 8], { rng: new Rng(2) });
const score = (m: number, n: number) =>
  applyRope(q, tables, m)
    .mul(applyRope(k, tables, n))
    .sum()
    .item();
console.log(
  'RoPE score(q at 5, k at 2) =',
  score(5, 2).toFixed(4),
  ' score(q at 25, k at 22) =',
  score(25, 22).toFixed(4),
  ' score(q at 5, k at 4) =',
  score(5, 4).toFixed(4),
);
