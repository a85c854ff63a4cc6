// Writes a GGUF v3 file (ggml docs/gguf.md): header (magic, version, tensor count, metadata
// count), metadata key-value pairs, tensor infos (name, dims in ggml order, type, offset), zero
// padding to the alignment, then each tensor's bytes, each starting at a multiple of the alignment.
// Little-endian throughout; strings are a uint64 byte length then UTF-8 without a terminator.

import { LlmfsError } from '../../errors.js';
import { atomicWriteFile } from '../atomic-write.js';
import {
  alignTo,
  GGML_TYPE,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  tensorBytes,
  VALUE_TYPE,
  type GgmlTypeName,
  type Metadata,
  type MetadataValue,
  type Scalar,
  type ScalarType,
} from './gguf-types.js';

/** One tensor to write: ggml dims (ne[0] contiguous: a (rows, cols) matrix is [cols, rows]). */
export interface GgufTensor {
  name: string;
  ne: readonly number[];
  type: GgmlTypeName;
  /** The tensor's bytes in `type`; called once, while writing, so big models stream. */
  encode(): Uint8Array;
}

/** A growable little-endian byte buffer for the header part of the file. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.length++, v);
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number | bigint): void {
    this.room(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }

  scalar(type: ScalarType, v: Scalar, key: string): void {
    const bad = (): never => {
      throw new LlmfsError(`GGUF metadata '${key}': ${JSON.stringify(String(v))} is not a valid ${type}`);
    };
    if (type === 'string') return typeof v === 'string' ? this.string(v) : bad();
    if (type === 'bool') return typeof v === 'boolean' ? this.u8(v ? 1 : 0) : bad();
    if (type === 'uint64' || type === 'int64') {
      if (typeof v !== 'number' && typeof v !== 'bigint') return bad();
      this.room(8);
      if (type === 'uint64') this.view.setBigUint64(this.length, BigInt(v), true);
      else this.view.setBigInt64(this.length, BigInt(v), true);
      this.length += 8;
      return;
    }
    if (typeof v !== 'number') return bad();
    const sizes = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };
    const n = sizes[type];
    if (type !== 'float32' && type !== 'float64' && !Number.isInteger(v)) bad();
    this.room(n);
    const at = this.length;
    if (type === 'uint8') this.view.setUint8(at, v);
    else if (type === 'int8') this.view.setInt8(at, v);
    else if (type === 'uint16') this.view.setUint16(at, v, true);
    else if (type === 'int16') this.view.setInt16(at, v, true);
    else if (type === 'uint32') this.view.setUint32(at, v, true);
    else if (type === 'int32') this.view.setInt32(at, v, true);
    else if (type === 'float32') this.view.setFloat32(at, v, true);
    else this.view.setFloat64(at, v, true);
    this.length += n;
  }

  value(v: MetadataValue, key: string): void {
    this.u32(VALUE_TYPE[v.type]);
    if (v.type !== 'array') return this.scalar(v.type, v.value, key);
    this.u32(VALUE_TYPE[v.itemType]);
    this.u64(v.values.length);
    for (const item of v.values) this.scalar(v.itemType, item, key);
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

const KEY = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/**
 * The file as a sequence of byte chunks: the header part (padded to the alignment), then every
 * tensor's bytes, each padded to the alignment. Offsets are computed up front from the sizes.
 */
export function* ggufChunks(metadata: Metadata, tensors: readonly GgufTensor[]): Generator<Uint8Array> {
  const alignment = metadata.get('general.alignment');
  const align = alignment && alignment.type === 'uint32' ? Number(alignment.value) : GGUF_DEFAULT_ALIGNMENT;
  if (!(align > 0 && align % 8 === 0))
    throw new LlmfsError(`GGUF: alignment ${align} is not a multiple of 8`);
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(metadata.size);
  for (const [key, value] of metadata) {
    if (!KEY.test(key)) throw new LlmfsError(`GGUF metadata key '${key}' is not lower_snake_case.dotted`);
    w.string(key);
    w.value(value, key);
  }
  const names = new Set<string>();
  const sizes: number[] = [];
  let offset = 0; // relative to the start of the tensor data
  for (const t of tensors) {
    if (names.has(t.name)) throw new LlmfsError(`GGUF: tensor '${t.name}' is written twice`);
    if (new TextEncoder().encode(t.name).length > 64)
      throw new LlmfsError(`GGUF: tensor name '${t.name}' is longer than 64 bytes`);
    names.add(t.name);
    w.string(t.name);
    w.u32(t.ne.length);
    for (const d of t.ne) w.u64(d);
    w.u32(GGML_TYPE[t.type]);
    w.u64(offset);
    const size = tensorBytes(t.type, t.ne);
    sizes.push(size);
    offset = alignTo(offset + size, align);
  }
  const headerEnd = alignTo(w.length, align);
  yield padded(w.result(), headerEnd);
  for (let i = 0; i < tensors.length; i++) {
    const data = tensors[i].encode();
    if (data.length !== sizes[i])
      throw new Error(`GGUF: tensor '${tensors[i].name}' encoded to ${data.length} bytes, not ${sizes[i]}`);
    yield padded(data, alignTo(data.length, align));
  }
}

function padded(b: Uint8Array, size: number): Uint8Array {
  if (b.length === size) return b;
  const out = new Uint8Array(size);
  out.set(b);
  return out;
}

/** The whole file in memory (tests, small models). */
export function ggufBytes(metadata: Metadata, tensors: readonly GgufTensor[]): Uint8Array {
  const chunks = [...ggufChunks(metadata, tensors)];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Writes the file atomically, streaming one tensor at a time; returns its size in bytes. */
export function writeGguf(path: string, metadata: Metadata, tensors: readonly GgufTensor[]): number {
  let size = 0;
  atomicWriteFile(
    path,
    (function* () {
      for (const c of ggufChunks(metadata, tensors)) {
        size += c.length;
        yield c;
      }
    })(),
  );
  return size;
}
