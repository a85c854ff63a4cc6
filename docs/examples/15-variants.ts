// Chapter 15, example: what each attention variant sees and keeps, on small inputs. The keys one
// query reads under each pattern; how many scores each pattern computes at T = 1024; ALiBi's head
// slopes; linear attention's parallel and recurrent forms agreeing, with a state that does not
// grow; and a mixture of experts routing tokens.
//   npx tsx docs/examples/15-variants.ts

import { attentionPattern, keysOf, keyLists } from '../../src/model/attention-patterns.js';
import { alibiSlopes } from '../../src/model/alibi.js';
import {
  linearAttentionFused,
  linearAttentionRecurrent,
  emptyLinearState,
} from '../../src/model/linear-attention.js';
import { GPT } from '../../src/model/gpt.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';

// 1. The keys query 13 may read, with W = 4 (the window, or the sparse patterns' stride).
for (const kind of ['full', 'sliding', 'sparse-strided', 'sparse-fixed']) {
  const p = attentionPattern(kind, 4)!;
  console.log(`${kind.padEnd(15)} query 13 reads keys ${keysOf(p, 13).join(' ')}`);
}

// 2. Scores computed for a context of 1024 (a window of 64, strides of 32).
for (const [kind, w] of [
  ['full', 1024],
  ['sliding', 64],
  ['sparse-strided', 32],
  ['sparse-fixed', 64],
] as const) {
  const n = keyLists(attentionPattern(kind, w)!, 1024).keys.length;
  console.log(
    `${kind.padEnd(15)} W=${String(w).padEnd(5)} ${String(n).padStart(7)} scores (${((100 * n) / 524800).toFixed(1)}% of full)`,
  );
}

// 3. ALiBi: one slope per head, a geometric sequence; 12 heads interleave the 8- and 16-head ones.
const fmt = (xs: number[]) => xs.map((x) => x.toPrecision(3)).join(' ');
console.log(`alibi slopes, 8 heads:  ${fmt(alibiSlopes(8))}`);
console.log(`alibi slopes, 12 heads: ${fmt(alibiSlopes(12))}`);

// 4. Linear attention: the parallel (training) form equals the recurrent (generation) form, and
// the recurrent state is the same size after 1 token or 50.
manualSeed(1);
const [B, nh, T, hs] = [1, 2, 50, 8];
const [q, k, v] = [0, 1, 2].map(() => randn([B, nh, T, hs], { dtype: 'float64' }));
const parallel = linearAttentionFused(q, k, v);
const state = emptyLinearState(B, nh, hs, hs, 'float64');
const recurrent = linearAttentionRecurrent(q, k, v, state); // one token at a time

let maxDiff = 0;
const [pd, rd] = [parallel.contiguous().data, recurrent.contiguous().data];
for (let i = 0; i < pd.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pd[i] - rd[i]));
console.log(
  `linear attention: recurrent equals parallel to 1e-12: ${maxDiff < 1e-12}; state ${state.S.size + state.z.size} floats after ${T} tokens`,
);

// 5. A mixture of 4 experts, top-2: where 12 tokens go (each token's 2 choices).
manualSeed(2);
const moe = new GPT({
  vocabSize: 16,
  blockSize: 12,
  nLayer: 1,
  nHead: 2,
  nEmbd: 16,
  moeExperts: 4,
  moeTopK: 2,
}).eval();
const ids = new Tensor(
  Float32Array.from({ length: 12 }, (_, i) => i % 16),
  [1, 12],
);
noGrad(() => moe.forward(ids));
const s = moe.moeStats()[0]!;
console.log(`moe 4 experts top-2: choices per expert ${s.routed.join(' ')} (of ${s.tokens} tokens x 2)`);
