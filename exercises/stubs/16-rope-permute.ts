// Exercise rope-permute (chapter 16, section "Two ways to pair the channels").
// Check it with: llmfs exercise check rope-permute

import { Tensor } from 'llm-from-scratch';

/**
 * Meta's Llama rotates channel pairs (2i, 2i+1) of each head; Hugging Face's rotates (i, i + hs/2)
 * (rotate_half). The two are the same model once the rows of W_q and W_k are permuted, head by
 * head (convert_llama_weights_to_hf.py):
 *
 *     Meta row h·hs + 2i + j  ->  HF row h·hs + j·hs/2 + i      (i < hs/2, j = 0 or 1)
 *
 * w is (nh·hs, C) with hs = rows / nHead; with `inverse`, move HF's rows back to Meta's. Return a
 * new Tensor (rows are whole: C values each). Useful: w.data, w.shape, new Tensor(data, shape).
 */
export function permuteForRotateHalf(w: Tensor, nHead: number, inverse = false): Tensor {
  // TODO: copy each row to its place in the other order.
  throw new Error('not implemented yet');
}
