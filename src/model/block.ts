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
import { makeNorm, type Norm } from './norm.js';
import type { GPTConfig } from './config.js';

export type NormPlacement = 'pre' | 'post';

/** One residual branch around `f` with its norm: pre x + f(norm(x)), post norm(x + f(x)). (B, T, C) */
export function residual(x: Tensor, norm: Norm, f: (h: Tensor) => Tensor, placement: NormPlacement): Tensor {
  return placement === 'pre' ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
}

export class Block extends Module {
  ln_1: Norm;
  attn: MultiHeadAttention;
  ln_2: Norm;
  mlp: MLP;

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
      bias: c.bias,
      dropout: c.dropout,
    });
    this.ln_2 = makeNorm(c.norm, c.nEmbd, c.normEps, c.bias);
    this.mlp = new MLP({
      nEmbd: c.nEmbd,
      hidden: c.mlpHidden,
      kind: c.mlp,
      activation: c.activation,
      bias: c.bias,
      dropout: c.dropout,
    });
  }

  /** x (B, T, C) -> (B, T, C) */
  forward(x: Tensor, o: AttentionCallOptions = {}): Tensor {
    x = residual(x, this.ln_1, (h) => this.attn.forward(h, o), this.placement);
    return residual(x, this.ln_2, (h) => this.mlp.forward(h), this.placement);
  }
}
