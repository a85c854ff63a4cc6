// Chapter 4's runnable example: one causal attention head on a short input, printing its
// attention-weight matrix, then the same computation as one head of multi-head attention.
//   npx tsx docs/examples/04-attention.ts

import { AttentionHead, manualSeed, randn, causalMask, scaledDotProductAttention, Rng } from '../../src/index.js';

manualSeed(0);
const words = ['the', 'cat', 'sat', 'down'];
const x = randn([1, words.length, 8], { rng: new Rng(3) }); // (B=1, T=4, C=8): stand-ins for embedded tokens
const head = new AttentionHead(8, 8);
const record: { weights?: ReturnType<typeof randn> } = {};
const out = head.forward(x, record); // (1, 4, 8)
console.log('output shape', out.shape);
console.log('attention weights (row = query, column = key; each row sums to 1, the future gets 0):');
const w = (record.weights!.toArray() as number[][][])[0];
console.log('        ' + words.map((s) => s.padStart(6)).join(''));
w.forEach((row, i) => console.log(words[i].padStart(6) + '  ' + row.map((v) => v.toFixed(3).padStart(6)).join('')));

console.log('causal mask for T = 4 (1 = may attend):');
for (const row of causalMask(4).toArray() as number[][]) console.log('  ' + row.join(' '));

// The library's scaled dot-product attention with (B, heads, T, hs) inputs gives the same weights.
const q = head.query.forward(x).reshape(1, 1, 4, 8);
const k = head.key.forward(x).reshape(1, 1, 4, 8);
const v = head.value.forward(x).reshape(1, 1, 4, 8);
const r = scaledDotProductAttention(q, k, v, { causal: true, returnWeights: true });
const same = r.weights!.toList().every((a, i) => Math.abs(a - record.weights!.data[i]) < 1e-6);
console.log('scaledDotProductAttention gives the same weights:', same);
