// A Parameter is a Tensor that a Module owns and an optimizer updates: a leaf that requires grad.

import { Tensor } from '../tensor/tensor.js';

export class Parameter extends Tensor {
  constructor(value: Tensor) {
    super(value.data, value.shape, true);
  }
}
