// Dropout (Srivastava et al., 2014), "inverted": in training each element is zeroed with
// probability p and the survivors are scaled by 1/(1-p), so evaluation needs no rescaling.
// The backward applies the same mask and scale. The mask is drawn here, in the seeded RNG's
// order (the seed's contract); the multiplies run on the backend.

import { Tensor } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { stridesOf } from '../shape.js';
import { type Rng, globalRng } from '../rng.js';
import { getBackend } from '../../kernels/backend.js';
import { LlmfsError } from '../../errors.js';

export function dropout(x: Tensor, p: number, training = true, rng: Rng = globalRng): Tensor {
  if (!(p >= 0 && p <= 1)) throw new LlmfsError(`dropout: probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = allocate(x.dtype, x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.random() < p ? 0 : scale;
  const strides = stridesOf(x.shape);
  const out = allocate(x.dtype, x.size);
  getBackend().binary('mul', x.data, strides, mask, strides, out, x.shape); // out = x ⊙ mask
  return Tensor.fromOp('dropout', out, x.shape, [x], (g) => {
    const dx = allocate(g.dtype, g.size);
    getBackend().binary('mul', g.data, strides, mask, strides, dx, x.shape); // dx = dy ⊙ mask
    return [new Tensor(dx, x.shape)];
  });
}
