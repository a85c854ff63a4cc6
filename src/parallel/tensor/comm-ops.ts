// Megatron-LM's two communication operators as autograd functions (Shoeybi et al., 2019, section
// 3, figure 3): f is the identity forward and an all-reduce of the gradient backward (it enters a
// column-parallel layer, whose input every rank shares); g is an all-reduce forward and the
// identity backward (it leaves a row-parallel layer, whose partial outputs the ranks sum).

import { Tensor } from '../../tensor/tensor.js';
import { allocate } from '../../tensor/dtype.js';

/** The one collective the operators need (Group.allReduceSum, in place). */
export interface AllReducer {
  readonly size: number;
  allReduceSum(x: Float32Array): void;
}

/** All-reduces counted by direction: calls and floats moved (each rank's payload). */
export class CommCounter {
  forwardCalls = 0;
  forwardFloats = 0;
  backwardCalls = 0;
  backwardFloats = 0;
  reset(): void {
    this.forwardCalls = this.forwardFloats = this.backwardCalls = this.backwardFloats = 0;
  }
}

function summed(g: AllReducer, x: Tensor): Float32Array {
  const out = allocate('float32', x.size) as Float32Array;
  out.set(x.data);
  g.allReduceSum(out);
  return out;
}

/**
 * f: y = x forward; dL/dx = Σ_ranks dL/dy backward. x (B, T, C) is the replicated input of a
 * column-parallel layer: each rank's shard contributes part of dL/dx, the sum is the whole.
 */
export function copyToParallel(g: AllReducer, x: Tensor, count?: CommCounter): Tensor {
  return Tensor.fromOp('tp_f', x.data, x.shape, [x], (grad) => {
    if (count) {
      count.backwardCalls++;
      count.backwardFloats += grad.size;
    }
    return [new Tensor(summed(g, grad), grad.shape)];
  });
}

/**
 * g: y = Σ_ranks x forward; dL/dx = dL/dy backward. x (B, T, C) is a row-parallel layer's partial
 * output (its shard of the input columns times its shard of the weight); every rank gets the sum.
 */
export function reduceFromParallel(g: AllReducer, x: Tensor, count?: CommCounter): Tensor {
  if (count) {
    count.forwardCalls++;
    count.forwardFloats += x.size;
  }
  return Tensor.fromOp('tp_g', summed(g, x), x.shape, [x], (grad) => [grad]);
}
