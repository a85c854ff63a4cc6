// Elementwise functions of one tensor, each with its derivative beside it. The backward of
// y = f(x) is dx = dy · f'(x), written using x or the saved output y, whichever is cheaper.
// These scalar loops do not go through the backend yet (see kernels/backend.ts); the tanh GELU
// does, as a fused kernel.

import { Tensor } from '../tensor-core.js';
import { allocateOverwritten } from '../dtype.js';
import { getBackend } from '../../kernels/backend.js';
import { erf } from './erf.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'tanh-backward' (chapter 1): dL/dx of y = tanh(x) given x, the saved output y and
     * the upstream gradient dL/dy, all of one shape.
     */
    tanhBackward(x: Tensor, y: Tensor, grad: Tensor): Tensor;
  }
}

/** Applies f elementwise into a new array of the same dtype. */
function map(x: Tensor, f: (v: number) => number): Tensor['data'] {
  const out = allocateOverwritten(x.dtype, x.size);
  const d = x.data;
  for (let i = 0; i < d.length; i++) out[i] = f(d[i]);
  return out;
}

/** y = f(x) with dx = dy · dfdx(x, y). */
function unary(
  op: string,
  x: Tensor,
  f: (v: number) => number,
  dfdx: (x: number, y: number) => number,
): Tensor {
  const y = map(x, f);
  return Tensor.fromOp(op, y, x.shape, [x], (g) => {
    const dx = allocateOverwritten(g.dtype, g.size);
    const xd = x.data;
    const gd = g.data;
    for (let i = 0; i < dx.length; i++) dx[i] = gd[i] * dfdx(xd[i], y[i]);
    return [new Tensor(dx, x.shape)];
  });
}

export const neg = (x: Tensor) =>
  unary(
    'neg',
    x,
    (v) => -v,
    () => -1,
  );
// d/dx e^x = e^x
export const exp = (x: Tensor) => unary('exp', x, Math.exp, (_x, y) => y);
// d/dx ln x = 1/x
export const log = (x: Tensor) => unary('log', x, Math.log, (v) => 1 / v);
// d/dx sqrt(x) = 1 / (2 sqrt(x))
export const sqrt = (x: Tensor) => unary('sqrt', x, Math.sqrt, (_x, y) => 0.5 / y);
// d/dx x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3
export const rsqrt = (x: Tensor) =>
  unary(
    'rsqrt',
    x,
    (v) => 1 / Math.sqrt(v),
    (_x, y) => -0.5 * y * y * y,
  );
// d/dx |x| = sign(x) (0 at 0, as PyTorch)
export const abs = (x: Tensor) => unary('abs', x, Math.abs, (v) => Math.sign(v));
// d/dx tanh(x) = 1 - tanh(x)^2, from the saved output y: dx = dy · (1 - y²).
const tanhBackward = exercisable('tanhBackward', (x: Tensor, y: Tensor, g: Tensor): Tensor => {
  const dx = allocateOverwritten(g.dtype, g.size);
  const yd = y.data;
  const gd = g.data;
  for (let i = 0; i < dx.length; i++) dx[i] = gd[i] * (1 - yd[i] * yd[i]);
  return new Tensor(dx, x.shape);
});
export const tanh = (x: Tensor) => {
  const y = new Tensor(map(x, Math.tanh), x.shape);
  return Tensor.fromOp('tanh', y.data, x.shape, [x], (g) => [tanhBackward(x, y, g)]);
};
// d/dx σ(x) = σ(x)(1 - σ(x))
export const sigmoid = (x: Tensor) => unary('sigmoid', x, sigma, (_x, y) => y * (1 - y));
// log σ(x) = -softplus(-x) = min(x, 0) - log(1 + e^{-|x|}) (no overflow for any x);
// d/dx log σ(x) = 1 - σ(x) = σ(-x). The DPO and reward-model losses are -log σ(margin).
export const logSigmoid = (x: Tensor) =>
  unary(
    'logSigmoid',
    x,
    (v) => Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v))),
    (v) => sigma(-v),
  );
// d/dx max(0, x) = 1 if x > 0 else 0
export const relu = (x: Tensor) =>
  unary(
    'relu',
    x,
    (v) => (v > 0 ? v : 0),
    (v) => (v > 0 ? 1 : 0),
  );
// SiLU / swish (Elfwing et al., 2017): x σ(x);  d/dx = σ(x) (1 + x (1 - σ(x)))
export const silu = (x: Tensor) =>
  unary(
    'silu',
    x,
    (v) => v * sigma(v),
    (v) => {
      const s = sigma(v);
      return s * (1 + v * (1 - s));
    },
  );

function sigma(v: number): number {
  // Stable for large |v|: never exponentiate a large positive number.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** Clamps into [min, max] (either may be null); the gradient flows only where not clamped. */
export function clamp(x: Tensor, min: number | null, max: number | null): Tensor {
  if (min !== null && max !== null && min > max)
    throw new LlmfsError(`clamp: min ${min} is greater than max ${max}`);
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  return unary(
    'clamp',
    x,
    (v) => (v < lo ? lo : v > hi ? hi : v),
    (v) => (v < lo || v > hi ? 0 : 1),
  );
}

export type GeluApproximation = 'none' | 'tanh';

const INV_SQRT2 = 1 / Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * GELU (Hendrycks & Gimpel, 2016): x Φ(x). 'none' is the exact form with Φ(x) = (1 + erf(x/√2))/2,
 * d/dx = Φ(x) + x φ(x); 'tanh' is the approximation GPT-2 uses (fused kernel in the backend).
 */
export function gelu(x: Tensor, approximate: GeluApproximation = 'none'): Tensor {
  if (approximate === 'tanh') {
    const y = allocateOverwritten(x.dtype, x.size);
    getBackend().geluTanhForward(x.data, y);
    return Tensor.fromOp('gelu', y, x.shape, [x], (g) => {
      const dx = allocateOverwritten(g.dtype, g.size);
      getBackend().geluTanhBackward(x.data, g.data, dx);
      return [new Tensor(dx, x.shape)];
    });
  }
  if (approximate !== 'none')
    throw new LlmfsError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return unary(
    'gelu',
    x,
    (v) => 0.5 * v * (1 + erf(v * INV_SQRT2)),
    (v) => 0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v),
  );
}
