// safetensors read and write on bytes in memory (portable: no Node imports). Layout:
// [N: u64 little-endian][N bytes of JSON header, space-padded][data: each tensor's bytes, packed].
// Reading decodes F32, F16, BF16 and F64 to float32 tensors; writing produces F32, and I8 / U8 for
// integer tensors (the codes of quantized checkpoints, src/quant/quant-state.ts).

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { decodeFloats, encodeFloat32 } from './float-decode.js';
import {
  parseHeader,
  quote,
  readHeaderLength,
  type SafetensorsHeader,
  type TensorInfo,
} from './safetensors-header.js';

export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** An integer tensor stored as-is (I8 or U8): quantization codes, never decoded to floats. */
export interface IntTensor {
  dtype: 'I8' | 'U8';
  shape: number[];
  data: Int8Array | Uint8Array;
}

/** The integer dtypes kept as raw codes. */
export const INT_DTYPES: ReadonlySet<string> = new Set(['I8', 'U8']);

export function isIntTensor(t: unknown): t is IntTensor {
  return typeof t === 'object' && t !== null && !(t instanceof Tensor) && 'dtype' in t && 'data' in t;
}

/** An integer tensor from its raw bytes (copied, so it owns its storage). */
export function intTensorFromBytes(info: TensorInfo, raw: Uint8Array): IntTensor {
  const bytes = raw.slice();
  const data = info.dtype === 'I8' ? new Int8Array(bytes.buffer) : bytes;
  return { dtype: info.dtype as 'I8' | 'U8', shape: info.shape, data };
}

/** Parses and validates the header of a whole file held in `bytes` (no tensor is decoded). */
export function readSafetensorsHeader(bytes: Uint8Array, fileName?: string): SafetensorsHeader {
  const where = fileName ?? 'safetensors';
  const n = readHeaderLength(bytes, bytes.length, where);
  const { tensors, metadata } = parseHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n, where);
  return { tensors, metadata, dataStart: 8 + n };
}

/** One tensor from its raw bytes (exactly `info.end - info.begin` of them). */
export function tensorFromBytes(info: TensorInfo, raw: Uint8Array, fileName?: string): Tensor {
  return new Tensor(
    decodeFloats(info.dtype, raw, `${fileName ?? 'safetensors'}: tensor ${quote(info.name)}`),
    info.shape,
  );
}

/**
 * Reads every tensor of a safetensors file held in memory. F32 tensors whose bytes are 4-byte
 * aligned are views into `bytes` (no copy), so writing to such a tensor writes into `bytes`.
 * `fileName` only names the file in error messages.
 */
export function readSafetensors(bytes: Uint8Array, fileName?: string): Safetensors {
  const header = readSafetensorsHeader(bytes, fileName);
  const tensors = header.tensors.map((t): [string, Tensor] => {
    const raw = bytes.subarray(header.dataStart + t.begin, header.dataStart + t.end);
    return [t.name, tensorFromBytes(t, raw, fileName)];
  });
  // fromEntries defines own properties, so even a tensor named "__proto__" stays a plain entry.
  return { tensors: Object.fromEntries(tensors), metadata: header.metadata };
}

/**
 * The file as a list of chunks: the length prefix with the header, then each tensor's F32 bytes
 * in name order (views of the tensors' storage where possible). Concatenated, they are the file.
 */
export function safetensorsChunks(
  tensors: Record<string, Tensor | IntTensor>,
  metadata: Record<string, string> = {},
): Uint8Array[] {
  const names = Object.keys(tensors).sort();
  const fields: string[] = [];
  const meta = Object.entries(metadata);
  for (const [k, v] of meta) {
    if (typeof v !== 'string')
      throw new LlmfsError(
        `writeSafetensors: metadata value for ${quote(k)} must be a string, got ${typeof v}`,
      );
  }
  if (meta.length > 0) fields.push(`"__metadata__":${JSON.stringify(Object.fromEntries(meta))}`);
  const data: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__')
      throw new LlmfsError('writeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const t = tensors[name];
    let bytes: Uint8Array;
    let dtype = 'F32';
    if (t instanceof Tensor) bytes = encodeFloat32(t.data);
    else if (isIntTensor(t) && INT_DTYPES.has(t.dtype)) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== n)
        throw new LlmfsError(
          `writeSafetensors: ${quote(name)} has ${t.data.length} values for shape [${t.shape}]`,
        );
      bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      dtype = t.dtype;
    } else throw new LlmfsError(`writeSafetensors: ${quote(name)} is not a Tensor`);
    const info = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    fields.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    data.push(bytes);
    offset += bytes.length;
  }
  // Pad the header with spaces to a multiple of 8, as the reference writer does, so the data
  // section (and so every F32 tensor) starts aligned.
  const jsonBytes = new TextEncoder().encode(`{${fields.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(jsonBytes.length / 8) * 8).fill(0x20);
  padded.set(jsonBytes);
  const head = new Uint8Array(8 + padded.length);
  const view = new DataView(head.buffer);
  view.setUint32(0, padded.length % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded.length / 2 ** 32), true);
  head.set(padded, 8);
  return [head, ...data];
}

/** Writes tensors (as F32, sorted by name) and optional string metadata to safetensors bytes. */
export function writeSafetensors(
  tensors: Record<string, Tensor | IntTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const chunks = safetensorsChunks(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
