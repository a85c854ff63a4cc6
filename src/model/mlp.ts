// The position-wise feed-forward network (Vaswani et al., 2017, eq. 2): the same two-layer MLP
// applied to every position, widening C -> H (4C in GPT-2), a nonlinearity, then back to C.
// SwiGLU (Shazeer, 2020, "GLU Variants Improve Transformer") gates instead:
//   c_proj( silu(c_gate x) ⊙ c_fc x ).

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Linear, Dropout } from '../nn/layers.js';
import type { Activation, MlpKind } from './config.js';
import { activate } from './activation.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'swiglu' (chapter 16): SwiGLU's hidden units, silu(gate) ⊙ up, (..., H) each. */
    swiglu(gate: Tensor, up: Tensor): Tensor;
  }
}

/** SwiGLU's gating: silu(g) ⊙ u with silu(g) = g · sigmoid(g) (Shazeer, 2020, eq. 6). */
export const swiglu = exercisable('swiglu', (gate: Tensor, up: Tensor): Tensor => gate.silu().mul(up));

export interface MlpOptions {
  nEmbd: number;
  hidden: number;
  kind?: MlpKind;
  activation?: Activation;
  bias?: boolean;
  dropout?: number;
}

export class MLP extends Module {
  c_fc: Linear;
  c_gate: Linear | null;
  c_proj: Linear;
  dropout: Dropout;
  readonly activation: Activation;

  constructor(o: MlpOptions) {
    super();
    const bias = o.bias ?? true;
    this.c_fc = new Linear(o.nEmbd, o.hidden, { bias });
    this.c_gate = o.kind === 'swiglu' ? new Linear(o.nEmbd, o.hidden, { bias }) : null;
    this.c_proj = new Linear(o.hidden, o.nEmbd, { bias });
    this.dropout = new Dropout(o.dropout ?? 0);
    this.activation = o.activation ?? 'gelu_tanh';
  }

  /** x (B, T, C) -> (B, T, C); `record.mlpHidden` receives the (B, T, H) hidden units when given. */
  forward(x: Tensor, record?: { mlpHidden?: Tensor }): Tensor {
    const up = this.c_fc.forward(x); // (B, T, H)
    // (B, T, H)
    const h = this.c_gate ? swiglu(this.c_gate.forward(x), up) : activate(up, this.activation);
    if (record) record.mlpHidden = h;
    return this.dropout.forward(this.c_proj.forward(h)); // (B, T, C)
  }
}
