// Reads a GGUF v3 file (ggml docs/gguf.md) back: header, metadata, tensor infos, and any tensor
// we can decode (F32, F16, Q8_0, Q4_0) as float32. For tests and inspection of what we export.
// The input is treated as hostile: every count, length and offset is checked before use.

import { LlmfsError } from '../../errors.js';
import { decodeF16, dequantizeQ4_0, dequantizeQ8_0 } from './ggml-quants.js';
import {
  alignTo,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  ggmlTypeName,
  tensorBytes,
  VALUE_TYPE,
  type GgmlTypeName,
  type Metadata,
  type MetadataValue,
  type Scalar,
  type ScalarType,
} from './gguf-types.js';

export interface GgufTensorInfo {
  name: string;
  /** ggml dims, ne[0] contiguous. */
  ne: number[];
  type: GgmlTypeName;
  /** Absolute byte offset of the data in the file. */
  offset: number;
  size: number;
}

export interface GgufFile {
  version: number;
  metadata: Metadata;
  tensors: GgufTensorInfo[];
  /** Where the tensor data section starts. */
  dataOffset: number;
  /** The tensor's values as float32 (row-major over the ggml dims, ne[0] fastest). */
  read(name: string): Float32Array;
}

const SCALAR_BY_CODE = new Map<number, ScalarType | 'array'>(
  Object.entries(VALUE_TYPE).map(([k, v]) => [v, k as ScalarType | 'array']),
);

class Cursor {
  at = 0;
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(what: string): never {
    throw new LlmfsError(`${this.file}: not a valid GGUF file (${what} at byte ${this.at})`);
  }
  need(n: number, what: string): void {
    if (n < 0 || this.at + n > this.bytes.length) this.fail(`${what} runs past the end`);
  }
  u8(): number {
    this.need(1, 'a value');
    return this.view.getUint8(this.at++);
  }
  u32(): number {
    this.need(4, 'a value');
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.at, true);
    this.at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${v} is too large`);
    return Number(v);
  }
  string(what: string): string {
    const n = this.u64(`${what} length`);
    this.need(n, what);
    const s = new TextDecoder('utf-8', { fatal: true });
    try {
      return s.decode(this.bytes.subarray(this.at, (this.at += n)));
    } catch {
      return this.fail(`${what} is not UTF-8`);
    }
  }
  scalar(type: ScalarType): Scalar {
    const sizes = { uint8: 1, int8: 1, bool: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4 };
    if (type === 'string') return this.string('a string');
    if (type === 'uint64' || type === 'int64' || type === 'float64') {
      this.need(8, type);
      const at = this.at;
      this.at += 8;
      if (type === 'float64') return this.view.getFloat64(at, true);
      return type === 'uint64' ? this.view.getBigUint64(at, true) : this.view.getBigInt64(at, true);
    }
    this.need(sizes[type], type);
    const at = this.at;
    this.at += sizes[type];
    if (type === 'bool') {
      const b = this.view.getUint8(at);
      if (b > 1) this.fail(`bool value ${b}`);
      return b === 1;
    }
    if (type === 'uint8') return this.view.getUint8(at);
    if (type === 'int8') return this.view.getInt8(at);
    if (type === 'uint16') return this.view.getUint16(at, true);
    if (type === 'int16') return this.view.getInt16(at, true);
    if (type === 'uint32') return this.view.getUint32(at, true);
    if (type === 'int32') return this.view.getInt32(at, true);
    return this.view.getFloat32(at, true);
  }
  valueType(): ScalarType | 'array' {
    const code = this.u32();
    const t = SCALAR_BY_CODE.get(code);
    return t ?? this.fail(`unknown metadata value type ${code}`);
  }
}

/** Parses a GGUF file held in memory; `file` names it in errors. */
export function parseGguf(bytes: Uint8Array, file = 'model.gguf'): GgufFile {
  const c = new Cursor(bytes, file);
  if (bytes.length < 24 || c.u32() !== GGUF_MAGIC) c.fail('no GGUF magic');
  const version = c.u32();
  if (version !== 3) c.fail(`version ${version}, this reader knows 3`);
  const nTensors = c.u64('tensor count');
  const nKv = c.u64('metadata count');
  // Each entry takes at least 8 bytes, so a count beyond the file is a lie; refuse before looping.
  if (nTensors > bytes.length / 8 || nKv > bytes.length / 8) c.fail('counts larger than the file');
  const metadata: Metadata = new Map();
  for (let i = 0; i < nKv; i++) {
    const key = c.string('a metadata key');
    if (metadata.has(key)) c.fail(`metadata key '${key}' repeated`);
    const type = c.valueType();
    let value: MetadataValue;
    if (type === 'array') {
      const item = c.valueType();
      const itemType = item === 'array' ? c.fail('nested arrays (not written by this exporter)') : item;
      const n = c.u64('array length');
      if (n > bytes.length - c.at) c.fail(`array of ${n} items longer than the file`);
      const values: Scalar[] = [];
      for (let j = 0; j < n; j++) values.push(c.scalar(itemType));
      value = { type, itemType, values };
    } else value = { type, value: c.scalar(type) };
    metadata.set(key, value);
  }
  const al = metadata.get('general.alignment');
  const alignment = al && al.type !== 'array' ? Number(al.value) : GGUF_DEFAULT_ALIGNMENT;
  if (!(Number.isInteger(alignment) && alignment > 0 && alignment % 8 === 0))
    c.fail(`general.alignment ${alignment}`);
  const infos: { name: string; ne: number[]; type: GgmlTypeName; rel: number }[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.string('a tensor name');
    const nDims = c.u32();
    if (nDims < 1 || nDims > 4) c.fail(`tensor '${name}' has ${nDims} dimensions`);
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(c.u64(`tensor '${name}' dimension`));
    const code = c.u32();
    const type = ggmlTypeName(code) ?? c.fail(`tensor '${name}' has ggml type ${code}, not one we decode`);
    const rel = c.u64(`tensor '${name}' offset`);
    if (rel % alignment !== 0) c.fail(`tensor '${name}' offset ${rel} is not aligned to ${alignment}`);
    infos.push({ name, ne, type, rel });
  }
  const dataOffset = alignTo(c.at, alignment);
  const tensors: GgufTensorInfo[] = infos.map(({ name, ne, type, rel }) => {
    let size: number;
    try {
      size = tensorBytes(type, ne);
    } catch (err) {
      return c.fail(`tensor '${name}': ${(err as Error).message}`);
    }
    const offset = dataOffset + rel;
    if (offset + size > bytes.length) c.fail(`tensor '${name}' data runs past the end of the file`);
    return { name, ne, type, offset, size };
  });
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const read = (name: string): Float32Array => {
    const t = byName.get(name);
    if (!t) throw new LlmfsError(`${file}: no tensor '${name}'`);
    const n = t.ne.reduce((a, b) => a * b, 1);
    const data = bytes.slice(t.offset, t.offset + t.size);
    if (t.type === 'F32') return new Float32Array(data.buffer, 0, n);
    if (t.type === 'F16') return decodeF16(data, n);
    if (t.type === 'Q8_0') return dequantizeQ8_0(data, n);
    return dequantizeQ4_0(data, n);
  };
  return { version, metadata, tensors, dataOffset, read };
}

/** A metadata value as a plain JS value (arrays as arrays), or undefined if absent. */
export function metaValue(m: Metadata, key: string): Scalar | Scalar[] | undefined {
  const v = m.get(key);
  if (!v) return undefined;
  return v.type === 'array' ? [...v.values] : v.value;
}
