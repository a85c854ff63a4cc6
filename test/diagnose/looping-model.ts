// A GPT built by hand to loop: every weight zero except the token table (the identity) and an
// untied head that maps token u to token (u + 1) mod period with a large logit. Attention scores
// are then all 0 (uniform causal attention), attention and MLP outputs 0, and greedy decoding
// from token 0 cycles 0, 1, ..., period - 1, 0, ... exactly.

import { GPT } from '../../src/model/gpt.js';
import { noGrad } from '../../src/tensor/autograd.js';
import type { Embedding, Linear } from '../../src/nn/layers.js';

export function loopingModel(period: number, vocab = 8, blockSize = 64): GPT {
  const m = new GPT({ vocabSize: vocab, blockSize, nLayer: 2, nHead: 2, nEmbd: vocab, tieWeights: false });
  noGrad(() => {
    for (const [name, p] of m.namedParameters()) {
      if (name.includes('ln_')) continue; // norms keep weight 1, bias 0
      p.data.fill(0);
    }
    for (let u = 0; u < vocab; u++) (m.wte as Embedding).weight.data[u * vocab + u] = 1;
    const head = (m.lm_head as Linear).weight.data; // (V, C)
    for (let u = 0; u < period; u++) head[((u + 1) % period) * vocab + u] = 5;
  });
  m.eval();
  return m;
}
