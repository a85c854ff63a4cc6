// The activation functions a config can name, as one function of a tensor.

import type { Tensor } from '../tensor/tensor.js';
import type { Activation } from './config.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'gelu' (chapter 5): GELU with the tanh approximation (GPT-2's "gelu_new"),
     * 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))), elementwise.
     */
    gelu(x: Tensor): Tensor;
  }
}

const geluTanh = exercisable('gelu', (x: Tensor): Tensor => x.gelu('tanh'));

export function activate(x: Tensor, kind: Activation): Tensor {
  switch (kind) {
    case 'gelu':
      return x.gelu('none');
    case 'gelu_tanh':
      return geluTanh(x);
    case 'relu':
      return x.relu();
    case 'silu':
      return x.silu();
  }
}
