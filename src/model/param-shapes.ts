// The parameters a GPT config implies (names and shapes, in namedParameters() order), computed
// from the config alone: what `llmfs model info` and the memory estimate need, without allocating
// gpt2-xl's 1.5 billion floats. Tested equal to the built model's parameters (test/model/).

import { type GPTConfig, type GPTConfigInput, gptConfig } from './config.js';

export interface ParamShape {
  name: string;
  shape: number[];
  /** Excluded from weight decay (biases, norm gains), as Parameter's noDecay. */
  noDecay: boolean;
}

/** The parameters of `new GPT(config)`, without building it. */
export function gptParameterShapes(configIn: GPTConfigInput | GPTConfig): ParamShape[] {
  const c = gptConfig(configIn);
  const out: ParamShape[] = [];
  const add = (name: string, shape: number[], noDecay = false) => out.push({ name, shape, noDecay });
  const linear = (name: string, inF: number, outF: number, bias: boolean) => {
    add(`${name}.weight`, [outF, inF]); // (out, in), as nn.Linear
    if (bias) add(`${name}.bias`, [outF], true);
  };
  const norm = (name: string) => {
    add(`${name}.weight`, [c.nEmbd], true);
    if (c.norm === 'layernorm' && c.bias) add(`${name}.bias`, [c.nEmbd], true);
  };
  const C = c.nEmbd;
  const qWidth = c.nHead * c.headDim; // C unless heads were pruned (or nh·hs ≠ C by design)
  const kvWidth = c.nKvHead * c.headDim; // grouped-query attention: fewer key/value heads
  add('wte.weight', [c.vocabSize, C], true); // embeddings are not decayed (nn.Embedding)
  if (c.positions === 'learned') add('wpe.weight', [c.blockSize, C], true);
  for (let l = 0; l < c.nLayer; l++) {
    norm(`h.${l}.ln_1`);
    linear(`h.${l}.attn.c_attn`, C, qWidth + 2 * kvWidth, c.qkvBias);
    linear(`h.${l}.attn.c_proj`, qWidth, C, c.bias);
    if (c.qkNorm) {
      add(`h.${l}.attn.q_norm.weight`, [c.headDim], true); // one RMSNorm gain per head channel (Qwen3)
      add(`h.${l}.attn.k_norm.weight`, [c.headDim], true);
    }
    norm(`h.${l}.ln_2`);
    // A mixture of experts: the router, then E expert MLPs (moe.ts).
    if (c.moeExperts > 0) add(`h.${l}.mlp.router.weight`, [c.moeExperts, C]);
    const mlps = c.moeExperts > 0 ? Array.from({ length: c.moeExperts }, (_, e) => `experts.${e}.`) : [''];
    for (const e of mlps) {
      linear(`h.${l}.mlp.${e}c_fc`, C, c.mlpHidden, c.bias);
      if (c.mlp === 'swiglu') linear(`h.${l}.mlp.${e}c_gate`, C, c.mlpHidden, c.bias);
      linear(`h.${l}.mlp.${e}c_proj`, c.mlpHidden, C, c.bias);
    }
  }
  norm('ln_f');
  if (!c.tieWeights) linear('lm_head', C, c.vocabSize, false);
  return out;
}

/** The number of parameters of `new GPT(config)` (a tied head counted once). */
export function gptParameterCount(config: GPTConfigInput | GPTConfig): number {
  return gptParameterShapes(config).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}
