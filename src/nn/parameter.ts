// A Parameter is a Tensor that a Module owns and an optimizer updates: a leaf that requires grad
// (set requiresGrad = false, or call module.freeze(), to keep it fixed). Its values are copied
// into storage the kernel backend provides (wasm memory on the fast backend), so every kernel
// reads and updates the weights in place; float64 stays as given.

import { Tensor } from '../tensor/tensor.js';
import { allocatePersistent } from '../tensor/dtype.js';
import { getBackend } from '../kernels/backend.js';

export class Parameter extends Tensor {
  /**
   * Weight decay does not apply (embeddings, norm gains, biases): set by the module that owns the
   * parameter, which knows what it is, and read by train/param-groups.ts.
   */
  noDecay: boolean;

  constructor(value: Tensor, opts: { noDecay?: boolean } = {}) {
    super(value.data instanceof Float32Array ? persistentCopy(value.data) : value.data, value.shape, true);
    this.noDecay = opts.noDecay ?? false;
  }
}

function persistentCopy(x: Float32Array): Float32Array {
  const out = allocatePersistent(x.length);
  out.set(x);
  return out;
}

/** Returns long-lived storage (a parameter's, an optimizer moment's) to the backend for reuse. */
export function releaseStorage(x: Tensor['data']): void {
  if (x instanceof Float32Array) getBackend().releasePersistent?.(x);
}
