// Pretty printing: nested brackets like PyTorch, long axes elided with "...", then the shape,
// dtype and grad status, e.g.  tensor([[1.0000, 2.0000]], shape=(1,2), requiresGrad).

import type { Tensor } from './tensor-core.js';
import { fmtShape, numel } from './shape.js';

const EDGE = 3; // items shown at each end of a long axis
const MAX_FULL = 6;

function fmtNumber(v: number, ints: boolean): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (ints) return v.toFixed(0);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(4);
  return v.toFixed(4);
}

export function formatTensor(t: Tensor): string {
  const ints = t.data.every((v) => Number.isInteger(v));
  const render = (dim: number, offset: number, indent: string): string => {
    if (t.ndim === 0) return fmtNumber(t.data[0], ints);
    const n = t.shape[dim];
    const stride = numel(t.shape.slice(dim + 1));
    const picks =
      n > MAX_FULL
        ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
        : [...Array(n).keys()];
    const parts = picks.map((i) => {
      if (i === -1) return '...';
      return dim === t.ndim - 1
        ? fmtNumber(t.data[offset + i], ints)
        : render(dim + 1, offset + i * stride, indent + ' ');
    });
    const sep = dim === t.ndim - 1 ? ', ' : `,\n${'\n'.repeat(Math.max(0, t.ndim - dim - 2))}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const flags = [`shape=${fmtShape(t.shape)}`];
  if (t.dtype !== 'float32') flags.push(`dtype=${t.dtype}`);
  if (t.requiresGrad) flags.push(t.node ? `gradFn=${t.node.op}` : 'requiresGrad');
  return `tensor(${render(0, 0, '       ')}, ${flags.join(', ')})`;
}
