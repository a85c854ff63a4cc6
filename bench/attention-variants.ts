// Attention variants (issue 18): the time of one forward + backward of a multi-head attention
// layer (cpu-small's width: C = 128, 4 heads of 32) at growing context lengths, for full softmax
// attention (the fused kernel; ALiBi's readable path beside it), linear attention (the parallel
// prefix-sum form), a sliding window and the sparse patterns (the sparse op, with a fixed window
// or stride). Full attention grows as T², the others as T (linear with hs² per position).
// Run alone: node --import tsx bench/attention-variants.ts

import type { Suite, BenchRow } from './harness.js';
import { timeMs, formatTable } from './harness.js';
import { MultiHeadAttention } from '../src/model/index.js';
import { manualSeed } from '../src/tensor/rng.js';
import * as T from '../src/tensor/index.js';
import { fusedAttention } from '../src/tensor/ops/attention.js';
import { linearAttention, linearAttentionFused } from '../src/model/linear-attention.js';
import { splitHeads } from '../src/model/attention.js';
import { attentionPattern } from '../src/model/attention-patterns.js';

const LENGTHS = [256, 512, 1024];

export const attentionVariantsSuite: Suite = {
  name: 'attention-variants',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    manualSeed(0);
    const kinds: [string, MultiHeadAttention][] = [
      ['full', new MultiHeadAttention({ nEmbd: 128, nHead: 4 })],
      ['full+alibi (readable path)', new MultiHeadAttention({ nEmbd: 128, nHead: 4, alibi: true })],
      ['linear', new MultiHeadAttention({ nEmbd: 128, nHead: 4, attention: 'linear' })],
      // Fixed windows and strides, so their cost grows as T, not T²: the sparse op's js kernel.
      [
        'sliding W=64',
        new MultiHeadAttention({ nEmbd: 128, nHead: 4, pattern: attentionPattern('sliding', 64) }),
      ],
      [
        'sparse-strided l=32',
        new MultiHeadAttention({ nEmbd: 128, nHead: 4, pattern: attentionPattern('sparse-strided', 32) }),
      ],
      [
        'sparse-fixed l=64',
        new MultiHeadAttention({ nEmbd: 128, nHead: 4, pattern: attentionPattern('sparse-fixed', 64) }),
      ],
    ];
    for (const T_ of LENGTHS) {
      const x = T.randn([1, T_, 128], { requiresGrad: true });
      for (const [name, mha] of kinds) {
        const ms = timeMs(
          () => {
            const y = mha.forward(x); // (1, T, C)
            y.sum().backward();
          },
          { warmup: 1, repeats: 3, minMs: 0 },
        );
        rows.push({ suite: 'attention-variants', name: `${name} fwd+bwd T=${T_}`, value: ms, unit: 'ms' });
      }
    }
    // The attention cores alone, on given q, k, v (1, T, 4·32): no projections.
    for (const T_ of LENGTHS) {
      const [q, k, v] = [0, 1, 2].map(() => T.randn([1, T_, 128], { requiresGrad: true }));
      const heads = (t: T.Tensor) => splitHeads(t, 4); // (1, 4, T, 32)
      const cores: [string, () => T.Tensor][] = [
        ['core: full (fused softmax kernel)', () => fusedAttention(q, k, v, { nHead: 4, causal: true })],
        ['core: linear (fused op)', () => linearAttentionFused(heads(q), heads(k), heads(v))],
        ['core: linear (prefix sums, readable)', () => linearAttention(heads(q), heads(k), heads(v))],
      ];
      for (const [name, f] of cores) {
        const ms = timeMs(() => f().sum().backward(), { warmup: 1, repeats: 3, minMs: 0 });
        rows.push({ suite: 'attention-variants', name: `${name} fwd+bwd T=${T_}`, value: ms, unit: 'ms' });
      }
    }
    return rows;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatTable(await attentionVariantsSuite.run()));
}
