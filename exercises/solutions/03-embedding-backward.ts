// Reference solution of embedding-backward (chapter 3, section "Token embeddings").

import { zeros, type Tensor } from 'llm-from-scratch';

/** Scatter-add: each position's gradient goes into the table row it read, adding on repeats. */
export function embeddingBackward(grad: Tensor, ids: Int32Array, vocabSize: number): Tensor {
  const C = grad.shape[1]!;
  const dW = zeros([vocabSize, C], { dtype: grad.dtype }); // (V, C)
  for (let n = 0; n < ids.length; n++) {
    for (let c = 0; c < C; c++) dW.data[ids[n]! * C + c] += grad.data[n * C + c]!; // += : ids repeat
  }
  return dW;
}
