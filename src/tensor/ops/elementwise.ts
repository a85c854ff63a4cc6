// Binary elementwise ops with NumPy broadcasting. The backward of a broadcast op sums the
// gradient over the axes that were broadcast (sumToShape), since one input value fed many
// outputs. Derivatives:  d(a+b) = (1, 1);  d(a-b) = (1, -1);  d(ab) = (b, a);
// d(a/b) = (1/b, -a/b²);  d(a^b) = (b a^(b-1), a^b ln a).
// The arithmetic runs on the backend's `binary`; the loops kept here only select (compare,
// maskedFill, where: see the rule in kernels/backend.ts).

import { Tensor, type TensorLike } from '../tensor-core.js';
import { allocate, allocateOverwritten, promote } from '../dtype.js';
import { broadcastShapes, broadcastStrides, numel, sameShape, fmtShape } from '../shape.js';
import { getBackend, type BinaryOp } from '../../kernels/backend.js';
import { expandData, sumToShape } from './broadcast.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'mul-backward' (chapter 1): the gradients of out = a ⊙ b given dL/dout, in the
     * broadcast shape (the op then sums each back to its input's shape). Null for an input that
     * needs no gradient.
     */
    mulBackward(a: Tensor, b: Tensor, grad: Tensor): [Tensor | null, Tensor | null];
  }
}

/** A number becomes a 0-d tensor of the other operand's dtype. */
export function asTensor(x: TensorLike, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new LlmfsError(`expected a Tensor or a number, got ${typeof x}`);
  const d = allocate(like.dtype, 1);
  d[0] = x;
  return new Tensor(d, []);
}

/** Forward of a broadcast binary op through the backend kernel. */
export function binaryForward(op: BinaryOp, a: Tensor, b: Tensor): { data: Tensor['data']; shape: number[] } {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const data = allocateOverwritten(promote(a.dtype, b.dtype), numel(shape)); // binary writes all
  getBackend().binary(
    op,
    a.data,
    broadcastStrides(a.shape, shape),
    b.data,
    broadcastStrides(b.shape, shape),
    data,
    shape,
  );
  return { data, shape };
}

function make(
  op: BinaryOp,
  a: Tensor,
  b: Tensor,
  backward: (g: Tensor, out: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const { data, shape } = binaryForward(op, a, b);
  const out: Tensor = Tensor.fromOp(op, data, shape, [a, b], (g) => {
    const [ga, gb] = backward(g, out);
    return [
      ga && a.requiresGrad ? sumToShape(ga, a.shape) : null,
      gb && b.requiresGrad ? sumToShape(gb, b.shape) : null,
    ];
  });
  return out;
}

export function add(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  return make('add', a, b, (g) => [g, g]);
}

export function sub(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  return make('sub', a, b, (g) => [g, b.requiresGrad ? g.neg() : null]);
}

// d(ab)/da = b, d(ab)/db = a: each input's gradient is the upstream gradient times the other input.
const mulBackward = exercisable(
  'mulBackward',
  (a: Tensor, b: Tensor, g: Tensor): [Tensor | null, Tensor | null] => [
    a.requiresGrad ? g.mul(b) : null,
    b.requiresGrad ? g.mul(a) : null,
  ],
);

export function mul(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  return make('mul', a, b, (g) => mulBackward(a, b, g));
}

export function div(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  // d(a/b)/db = -a/b² = -(a/b)/b
  return make('div', a, b, (g, out) => [
    a.requiresGrad ? g.div(b) : null,
    b.requiresGrad ? g.mul(out).div(b).neg() : null,
  ]);
}

export function pow(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  return make('pow', a, b, (g, out) => [
    // d(a^b)/da = b a^(b-1)
    a.requiresGrad ? g.mul(b).mul(a.pow(b.sub(1))) : null,
    // d(a^b)/db = a^b ln a
    b.requiresGrad ? g.mul(out).mul(a.log()) : null,
  ]);
}

/** Elementwise maximum; the gradient goes to the larger input (to `a` on ties). */
export function maximum(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  return make('maximum', a, b, (g) => {
    const aWins = compare(a, b, (x, y) => x >= y);
    return [g.mul(aWins), g.mul(aWins.neg().add(1))];
  });
}

/** Elementwise minimum; the gradient goes to the smaller input (to `a` on ties). */
export function minimum(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  return make('minimum', a, b, (g) => {
    const aWins = compare(a, b, (x, y) => x <= y);
    return [g.mul(aWins), g.mul(aWins.neg().add(1))];
  });
}

/** 1 where pred(a, b) holds, else 0, over the broadcast shape (no gradient). */
export function compare(a: Tensor, b: Tensor, pred: (x: number, y: number) => boolean): Tensor {
  const shape = broadcastShapes('compare', a.shape, b.shape);
  const out = allocate(promote(a.dtype, b.dtype), numel(shape));
  const ab = expandData(a, shape);
  const bb = expandData(b, shape);
  for (let i = 0; i < out.length; i++) out[i] = pred(ab[i], bb[i]) ? 1 : 0;
  return new Tensor(out, shape);
}

/** out = value where mask is nonzero, else x. `mask` broadcasts to x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new LlmfsError(
      `maskedFill: mask of shape ${fmtShape(mask.shape)} must broadcast to the tensor's shape ` +
        `${fmtShape(x.shape)}`,
    );
  }
  const m = expandData(mask, shape);
  const out = x.data.slice();
  for (let i = 0; i < out.length; i++) if (m[i] !== 0) out[i] = value;
  return Tensor.fromOp('maskedFill', out, shape, [x], (g) => {
    const gd = g.data.slice();
    for (let i = 0; i < gd.length; i++) if (m[i] !== 0) gd[i] = 0;
    return [new Tensor(gd, shape)];
  });
}

/** Elementwise choice: a where cond is nonzero, else b; all three broadcast together. */
export function where(cond: Tensor, aIn: TensorLike, bIn: TensorLike): Tensor {
  const a = aIn instanceof Tensor ? aIn : asTensor(aIn, bIn instanceof Tensor ? bIn : cond);
  const b = asTensor(bIn, a);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const c = expandData(cond, shape);
  const ad = expandData(a, shape);
  const bd = expandData(b, shape);
  const out = allocate(promote(a.dtype, b.dtype), numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? ad[i] : bd[i];
  return Tensor.fromOp('where', out, shape, [a, b], (g) => {
    const ga = allocate(g.dtype, g.size);
    const gb = allocate(g.dtype, g.size);
    for (let i = 0; i < g.size; i++) (c[i] !== 0 ? ga : gb)[i] = g.data[i];
    return [sumToShape(new Tensor(ga, shape), a.shape), sumToShape(new Tensor(gb, shape), b.shape)];
  });
}
