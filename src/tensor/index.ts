// The tensor package: the Tensor class, creation functions, autograd controls and every op.

export { Tensor, type TensorLike } from './tensor.js';
export { type DType, type FloatArray } from './dtype.js';
export { type Shape, numel, fmtShape, broadcastShapes } from './shape.js';
export { Rng, globalRng, manualSeed, keepingGlobalRng, type RngState } from './rng.js';
export { noGrad, isGradEnabled, type BackwardOptions } from './autograd.js';
export * from './creation.js';
export { add, sub, mul, div, pow, maximum, minimum, maskedFill, where } from './ops/elementwise.js';
export { expand, sumToShape } from './ops/broadcast.js';
export {
  neg,
  exp,
  log,
  sqrt,
  rsqrt,
  abs,
  tanh,
  sigmoid,
  logSigmoid,
  relu,
  silu,
  gelu,
  clamp,
  type GeluApproximation,
} from './ops/unary.js';
export { sum, mean, variance, max, min, argmax, type Axes } from './ops/reduce.js';
export { reshape, squeeze, unsqueeze, flatten } from './ops/view.js';
export { permute, transpose, narrow, cat, stack, split } from './ops/layout.js';
export { unfoldPatches, foldPatches, patchGrid } from './ops/unfold-patches.js';
export { indexSelect, gather, embedding, type IndexLike } from './ops/indexing.js';
export { matmul, linear } from './ops/matmul.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { crossEntropy, type CrossEntropyOptions } from './ops/loss.js';
export { layerNorm, rmsNorm } from './ops/norm.js';
export { fusedAttention, type FusedAttentionOptions } from './ops/attention.js';
export { sparseAttention, type SparseAttentionOptions, type KeyLists } from './ops/sparse-attention.js';
export { dropout } from './ops/dropout.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.js';
