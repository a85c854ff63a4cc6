// Reference broadcast elementwise kernel: walks the output in row-major order, reading each
// input through its broadcast strides (stride 0 on axes where the input has size 1).

import type { BinaryOp } from '../backend-interface.js';
import type { FloatArray } from '../dtype.js';

export function binary(
  op: BinaryOp,
  a: FloatArray,
  aStrides: readonly number[],
  b: FloatArray,
  bStrides: readonly number[],
  out: FloatArray,
  outShape: readonly number[],
): void {
  const nd = outShape.length;
  if (out.length === 0) return;
  const inner = nd === 0 ? 1 : outShape[nd - 1];
  const sa = nd === 0 ? 0 : aStrides[nd - 1];
  const sb = nd === 0 ? 0 : bStrides[nd - 1];
  const outer = out.length / inner;
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  let aOff = 0;
  let bOff = 0;
  for (let r = 0; r < outer; r++) {
    row(op, a, aOff, sa, b, bOff, sb, out, r * inner, inner);
    // Advance the multi-index over the leading axes (odometer style).
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      aOff += aStrides[d];
      bOff += bStrides[d];
      if (idx[d] < outShape[d]) break;
      aOff -= aStrides[d] * outShape[d];
      bOff -= bStrides[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

function row(
  op: BinaryOp,
  a: FloatArray,
  ao: number,
  sa: number,
  b: FloatArray,
  bo: number,
  sb: number,
  o: FloatArray,
  oo: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa] + b[bo + j * sb];
      break;
    case 'sub':
      for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa] - b[bo + j * sb];
      break;
    case 'mul':
      for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa] * b[bo + j * sb];
      break;
    case 'div':
      for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa] / b[bo + j * sb];
      break;
    case 'pow':
      for (let j = 0; j < n; j++) o[oo + j] = Math.pow(a[ao + j * sa], b[bo + j * sb]);
      break;
    case 'maximum':
      for (let j = 0; j < n; j++) o[oo + j] = Math.max(a[ao + j * sa], b[bo + j * sb]);
      break;
    case 'minimum':
      for (let j = 0; j < n; j++) o[oo + j] = Math.min(a[ao + j * sa], b[bo + j * sb]);
      break;
  }
}
