// Reference solution of conv1d-to-linear (chapter 9, section "From their names to ours").

import { Tensor } from 'llm-from-scratch';

/** HF Conv1D (in, out) -> our Linear (out, in): element [i, j] moves to [j, i]. */
export function conv1dToLinear(weight: Tensor): Tensor {
  const [inDim, outDim] = weight.shape; // (in, out)
  const out = new Float32Array(inDim * outDim);
  for (let i = 0; i < inDim; i++)
    for (let j = 0; j < outDim; j++) out[j * inDim + i] = weight.data[i * outDim + j]; // row-major
  return new Tensor(out, [outDim, inDim]); // (out, in)
}
