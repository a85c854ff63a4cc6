// A Parameter is a Tensor that a Module owns and an optimizer updates: a leaf that requires grad.
// Its values are copied into storage the kernel backend provides (wasm memory on the fast
// backend), so every kernel reads and updates the weights in place; float64 stays as given.

import { Tensor } from '../tensor/tensor.js';
import { allocatePersistent } from '../tensor/dtype.js';

export class Parameter extends Tensor {
  constructor(value: Tensor) {
    super(value.data instanceof Float32Array ? persistentCopy(value.data) : value.data, value.shape, true);
  }
}

function persistentCopy(x: Float32Array): Float32Array {
  const out = allocatePersistent(x.length);
  out.set(x);
  return out;
}
