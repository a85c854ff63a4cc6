// Chapter 4's runnable example: one causal attention head on a short input, printing its
// attention-weight matrix, then the same computation through scaledDotProductAttention, and the
// fused attention that multi-head attention runs by default checked against the readable form.
//   npx tsx docs/examples/04-attention.ts

import {
  AttentionHead,
  MultiHeadAttention,
  manualSeed,
  randn,
  causalMask,
  scaledDotProductAttention,
  fusedAttention,
  getBackend,
  Rng,
  type Tensor,
} from '../../src/index.js';

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
w.forEach((row, i) =>
  console.log(words[i].padStart(6) + '  ' + row.map((v) => v.toFixed(3).padStart(6)).join('')),
);

console.log('causal mask for T = 4 (1 = may attend):');
for (const row of causalMask(4).toArray() as number[][]) console.log('  ' + row.join(' '));

// The library's scaled dot-product attention with (B, heads, T, hs) inputs gives the same weights.
const q = head.query.forward(x).reshape(1, 1, 4, 8);
const k = head.key.forward(x).reshape(1, 1, 4, 8);
const v = head.value.forward(x).reshape(1, 1, 4, 8);
const r = scaledDotProductAttention(q, k, v, { causal: true, returnWeights: true });
const same = r.weights!.toList().every((a, i) => Math.abs(a - record.weights!.data[i]) < 1e-6);
console.log('scaledDotProductAttention gives the same weights:', same);

// What MultiHeadAttention runs by default: fusedAttention, one op for all heads on
// (B, T, nh·hs) tensors, computed by the backend without the T x T matrix. It equals the
// readable composition above, run per head, in its output and in its gradients.
const mha = new MultiHeadAttention({ nEmbd: 8, nHead: 2 });
const [qs, ks, vs] = mha.project(x).map((t) => t.detach().requireGrad()); // (1, 4, 8) each
const fused = fusedAttention(qs, ks, vs, { nHead: 2, causal: true }); // (1, 4, 8)
const heads = (t: Tensor) => t.reshape(1, 4, 2, 4).transpose(1, 2); // (B, nh, T, hs)
const readable = scaledDotProductAttention(heads(qs), heads(ks), heads(vs), { causal: true })
  .out.transpose(1, 2)
  .reshape(1, 4, 8); // (1, 4, 8): heads side by side again
const gradsOf = (y: Tensor) => {
  for (const t of [qs, ks, vs]) t.zeroGrad();
  y.mul(y).sum().backward();
  return [qs, ks, vs].flatMap((t) => t.grad!.toList());
};
const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) < 1e-5);
console.log(`fused attention on the ${getBackend().name} backend:`);
console.log('  same output as the readable composition:', near(fused.toList(), readable.toList()));
console.log('  same gradients for q, k and v:', near(gradsOf(fused), gradsOf(readable)));
// forward() takes the fused path; asking for the weights takes the readable one.
const viaFused = mha.forward(x).toList();
const viaReadable = mha.forward(x, { record: {} }).toList();
console.log('  MultiHeadAttention, fused and readable paths agree:', near(viaFused, viaReadable));
