// The plain reference backend: every kernel as the simplest correct loop.

import type { Backend } from '../backend-interface.js';
import { gemm } from './gemm.js';
import { binary } from './binary.js';
import { sumAxis } from './reduce.js';
import { softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward } from './softmax.js';
import { layerNormForward, layerNormBackward } from './layernorm.js';
import { geluTanhForward, geluTanhBackward } from './gelu.js';
import { attentionForward, attentionBackward } from './attention.js';
import { adamw } from './adamw.js';
import { sparseAttentionForward, sparseAttentionBackward } from './sparse-attention.js';
import { quantGemm } from './quant.js';

export const jsBackend: Backend = {
  name: 'js',
  gemm,
  quantGemm,
  binary,
  sumAxis,
  softmaxForward,
  softmaxBackward,
  logSoftmaxForward,
  logSoftmaxBackward,
  layerNormForward,
  layerNormBackward,
  geluTanhForward,
  geluTanhBackward,
  attentionForward,
  attentionBackward,
  sparseAttentionForward,
  sparseAttentionBackward,
  adamw,
  allocPersistent: () => null, // plain arrays are already where these kernels read them
};
