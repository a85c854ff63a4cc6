// The Tensor, with its methods: the data and autograd record (tensor-core.ts) plus the
// PyTorch-named methods that forward to the ops (methods.ts). Import Tensor from here.

import './methods.js';

export { Tensor, type TensorLike, type Node } from './tensor-core.js';
