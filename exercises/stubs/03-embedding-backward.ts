// Exercise embedding-backward (chapter 3, section "Token embeddings").
// Check it with: llmfs exercise check embedding-backward

import type { Tensor } from 'llm-from-scratch';

/**
 * The backward of an embedding lookup out[n] = W[ids[n]], for a table W of shape (V, C).
 *
 * Given `grad` = dL/dout (N, C) (the batch's positions flattened: N = B·T), the ids (N) that were
 * looked up and the vocabulary size V, return dL/dW (V, C):
 *
 *     dL/dW[v] = Σ over the positions n with ids[n] = v of dL/dout[n]        (0 for unread rows)
 *
 * A token that appears several times gets the sum of its positions' gradients (a scatter-add).
 * You may use zeros([V, C]) and loops over .data, or tensor ops.
 */
export function embeddingBackward(grad: Tensor, ids: Int32Array, vocabSize: number): Tensor {
  // TODO: return the (V, C) gradient of the table.
  throw new Error('not implemented yet');
}
