// A transformer block: attention then MLP, each in a residual branch with a normalisation.
// Pre-norm (GPT-2; Xiong et al., 2020 on why it trains stably):
//   x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))
// Post-norm (the original Transformer, Vaswani et al., 2017):
//   x = ln_1(x + attn(x));  x = ln_2(x + mlp(x))
// `residual` is one such branch; the encoder and decoder layers are built from it too.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { MultiHeadAttention, type AttentionCallOptions } from './multihead.js';
import { MLP } from './mlp.js';
import { MixtureOfExperts } from './moe.js';
import { makeNorm, type Norm } from './norm.js';
import type { GPTConfig } from './config.js';
import { exercisable } from '../exercises/registry.js';
import { patternOf } from './attention-patterns.js';
import { LlmfsError } from '../errors.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'pre-norm-block' (chapter 5): x = x + attn(ln1(x)), then x = x + mlp(ln2(x)),
     * x (B, T, C); each sub-layer is given as a function of a (B, T, C) tensor.
     */
    preNormBlock(
      x: Tensor,
      ln1: (h: Tensor) => Tensor,
      attn: (h: Tensor) => Tensor,
      ln2: (h: Tensor) => Tensor,
      mlp: (h: Tensor) => Tensor,
    ): Tensor;
  }
}

export type NormPlacement = 'pre' | 'post';

/** One residual branch around `f` with its norm: pre x + f(norm(x)), post norm(x + f(x)). (B, T, C) */
export function residual(x: Tensor, norm: Norm, f: (h: Tensor) => Tensor, placement: NormPlacement): Tensor {
  return placement === 'pre' ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
}

const preNormBlock = exercisable(
  'preNormBlock',
  (
    x: Tensor,
    ln1: (h: Tensor) => Tensor,
    attn: (h: Tensor) => Tensor,
    ln2: (h: Tensor) => Tensor,
    mlp: (h: Tensor) => Tensor,
  ): Tensor => {
    x = x.add(attn(ln1(x))); // (B, T, C)
    return x.add(mlp(ln2(x))); // (B, T, C)
  },
);

export class Block extends Module {
  ln_1: Norm;
  attn: MultiHeadAttention;
  ln_2: Norm;
  /** The feed-forward layer: one MLP, or a mixture of experts when config.moeExperts > 0. */
  mlp: MLP | MixtureOfExperts;

  constructor(
    c: GPTConfig,
    readonly placement: NormPlacement = 'pre',
  ) {
    super();
    this.ln_1 = makeNorm(c.norm, c.nEmbd, c.normEps, c.bias);
    this.attn = new MultiHeadAttention({
      nEmbd: c.nEmbd,
      nHead: c.nHead,
      nKvHead: c.nKvHead,
      headSize: c.headDim,
      bias: c.bias,
      qkvBias: c.qkvBias,
      dropout: c.dropout,
      pattern: patternOf(c), // attention variants (issue 18)
      // attention variants (issue 18)
      attention: c.attention,
      alibi: c.positions === 'alibi',
      qkNorm: c.qkNorm,
      normEps: c.normEps,
    });
    this.ln_2 = makeNorm(c.norm, c.nEmbd, c.normEps, c.bias);
    const mlp = {
      nEmbd: c.nEmbd,
      hidden: c.mlpHidden,
      kind: c.mlp,
      activation: c.activation,
      bias: c.bias,
      dropout: c.dropout,
    };
    this.mlp =
      c.moeExperts > 0
        ? new MixtureOfExperts({
            ...mlp,
            experts: c.moeExperts,
            topK: c.moeTopK,
            capacityFactor: c.moeCapacityFactor,
            auxLossWeight: c.moeAuxLossWeight,
          })
        : new MLP(mlp);
  }

  /** The feed-forward branch (B, T, C) -> (B, T, C); only the dense MLP records hidden units. */
  private feedForward(h: Tensor, record?: { mlpHidden?: Tensor }): Tensor {
    return this.mlp instanceof MLP ? this.mlp.forward(h, record) : this.mlp.forward(h);
  }

  /** x (B, T, C) -> (B, T, C) */
  forward(x: Tensor, o: AttentionCallOptions = {}): Tensor {
    if (this.placement === 'pre') {
      return preNormBlock(
        x,
        (h) => this.ln_1.forward(h),
        (h) => this.attn.forward(h, o),
        (h) => this.ln_2.forward(h),
        (h) => this.feedForward(h, o.record),
      );
    }
    x = residual(x, this.ln_1, (h) => this.attn.forward(h, o), this.placement);
    return residual(x, this.ln_2, (h) => this.feedForward(h, o.record), this.placement);
  }
}

/** The block's dense MLP, for code that reads its weights; `what` names the caller when refusing a MoE. */
export function denseMlp(block: Block, what: string): MLP {
  if (block.mlp instanceof MLP) return block.mlp;
  throw new LlmfsError(
    `${what}: the model is a mixture of experts (${block.mlp.experts.length} expert MLPs per block); ` +
      'only dense-MLP models (moeExperts 0) are supported',
  );
}
