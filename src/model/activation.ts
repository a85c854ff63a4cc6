// The activation functions a config can name, as one function of a tensor.

import type { Tensor } from '../tensor/tensor.js';
import type { Activation } from './config.js';

export function activate(x: Tensor, kind: Activation): Tensor {
  switch (kind) {
    case 'gelu':
      return x.gelu('none');
    case 'gelu_tanh':
      return x.gelu('tanh');
    case 'relu':
      return x.relu();
    case 'silu':
      return x.silu();
  }
}
