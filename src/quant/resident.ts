// Quantized weights kept where the kernels read them. When the backend offers long-lived storage
// (wasm memory on the fast backend), a weight's codes, scales and zero points move into one block
// there, laid out as the wasm product places them (kernels/wasm/quant.ts: codes, then scales, then
// zero points, each from a 16-byte boundary), so the product reads them in place instead of keeping
// a second copy: ~470 MB less for the int8 codes of a 0.5B model. The block is given back when the
// codes are garbage collected. With the plain backend (no such storage) the weight is unchanged.

import { getBackend } from '../kernels/backend.js';
import { isInt8, type QuantWeight } from './qmatmul.js';

const up16 = (n: number): number => Math.ceil(n / 16) * 16;

const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Float32Array>((block) => getBackend().releasePersistent?.(block))
    : null;

/** `w` with its arrays in the backend's persistent storage (one block), or `w` itself if there is none. */
export function residentWeight(w: QuantWeight): QuantWeight {
  const codes = isInt8(w) ? w.q : w.packed;
  const zeros = isInt8(w) ? null : w.zeros;
  const sAt = up16(codes.byteLength);
  const zAt = sAt + up16(w.scales.byteLength);
  const bytes = zAt + (zeros ? up16(zeros.byteLength) : 0);
  const block = getBackend().allocPersistent(Math.ceil(bytes / 4));
  if (!block) return w;
  const { buffer, byteOffset: at } = block;
  const scales = new Float32Array(buffer, at + sAt, w.scales.length);
  scales.set(w.scales);
  if (isInt8(w)) {
    const q = new Int8Array(buffer, at, codes.length);
    q.set(codes);
    registry?.register(q, block); // as the wasm product keys its copies: by the codes array
    return { ...w, q, scales };
  }
  const packed = new Uint8Array(buffer, at, codes.length);
  packed.set(codes);
  registry?.register(packed, block);
  const z = zeros ? new Uint8Array(buffer, at + zAt, zeros.length) : null;
  z?.set(zeros!);
  return { ...w, packed, scales, zeros: z };
}
