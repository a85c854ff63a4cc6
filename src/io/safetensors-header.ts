// The safetensors header (https://github.com/huggingface/safetensors): an 8-byte little-endian
// length N, then N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"}.
// The file is hostile until proven otherwise: every rule the reference implementation enforces is
// checked here, before any tensor byte is touched, and each fault is one LlmfsError line.

import { LlmfsError } from '../errors.js';
import { findDuplicateKey } from './json-keys.js';

/** Bytes per element of every dtype the format defines (we decode the float ones). */
export const DTYPE_SIZES: ReadonlyMap<string, number> = new Map([
  ['F64', 8],
  ['F32', 4],
  ['F16', 2],
  ['BF16', 2],
  ['I64', 8],
  ['I32', 4],
  ['I16', 2],
  ['I8', 1],
  ['U64', 8],
  ['U32', 4],
  ['U16', 2],
  ['U8', 1],
  ['BOOL', 1],
  ['F8_E5M2', 1],
  ['F8_E4M3', 1],
]);

/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor's entry; `begin`/`end` are byte offsets into the data section (after the header). */
export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Entries sorted by their position in the data section. */
  tensors: TensorInfo[];
  metadata: Record<string, string>;
  /** Where the data section starts in the file: 8 + N. */
  dataStart: number;
}

/** A name for messages: quoted, escaped, and short even if the file holds a 1 MB name. */
export function quote(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 80 ? `${q.slice(0, 77)}..."` : q;
}

/** Reads N from the first 8 bytes and checks it against the file size. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, where: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new LlmfsError(`${where}: file is ${fileSize} bytes, too short for the 8-byte header length`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32; // exact below 2^53
  if (n > MAX_HEADER_BYTES) {
    throw new LlmfsError(
      `${where}: header length ${n} is larger than the ${MAX_HEADER_BYTES}-byte limit; not a safetensors ` +
        `file?`,
    );
  }
  if (n > fileSize - 8) throw new LlmfsError(`${where}: header length ${n} exceeds file size ${fileSize}`);
  if (n < 2) throw new LlmfsError(`${where}: header length ${n} is too short to hold a JSON object`);
  return n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes and validates the JSON header against a data section of `dataSize` bytes. */
export function parseHeader(
  json: Uint8Array,
  dataSize: number,
  where: string,
): Omit<SafetensorsHeader, 'dataStart'> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(json);
  } catch {
    throw new LlmfsError(`${where}: header is not valid UTF-8`);
  }
  if (!text.startsWith('{'))
    throw new LlmfsError(`${where}: header does not start with '{'; not a safetensors file?`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LlmfsError(`${where}: header is not valid JSON (${(err as Error).message.slice(0, 120)})`);
  }
  if (!isObject(parsed)) throw new LlmfsError(`${where}: header is not a JSON object`);
  const dup = findDuplicateKey(text);
  if (dup !== null) {
    const inside =
      dup.parent === null
        ? 'the header'
        : dup.parent === '__metadata__'
          ? '__metadata__'
          : `tensor ${quote(dup.parent)}`;
    throw new LlmfsError(`${where}: duplicate key ${quote(dup.key)} in ${inside}`);
  }

  const metadata = parseMetadata(parsed['__metadata__'], where);
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(parsed)) {
    if (name !== '__metadata__') tensors.push(parseEntry(name, entry, dataSize, where));
  }
  checkLayout(tensors, dataSize, where);
  return { tensors, metadata };
}

function parseMetadata(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new LlmfsError(`${where}: __metadata__ must be an object of strings`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string')
      throw new LlmfsError(`${where}: __metadata__ value for ${quote(k)} is ${typeof v}, not a string`);
  }
  return Object.fromEntries(Object.entries(raw)) as Record<string, string>;
}

function parseEntry(name: string, entry: unknown, dataSize: number, where: string): TensorInfo {
  const at = `${where}: tensor ${quote(name)}`;
  if (!isObject(entry))
    throw new LlmfsError(`${at}: entry must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string') throw new LlmfsError(`${at}: dtype is missing or not a string`);
  const itemSize = DTYPE_SIZES.get(dtype);
  if (itemSize === undefined) throw new LlmfsError(`${at}: unknown dtype ${quote(dtype)}`);
  if (!Array.isArray(shape)) throw new LlmfsError(`${at}: shape is missing or not an array`);
  if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new LlmfsError(
      `${at}: shape ${JSON.stringify(shape).slice(0, 80)} must hold non-negative integers`,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    throw new LlmfsError(`${at}: data_offsets must be two non-negative integers [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new LlmfsError(`${at}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataSize) {
    throw new LlmfsError(
      `${at}: data_offsets [${begin}, ${end}] run past the end of the data (${dataSize} bytes)`,
    );
  }
  // Multiply with a ceiling so a shape like [1e15, 1e15] cannot overflow to a plausible size.
  const dims = shape as number[];
  let bytes = dims.includes(0) ? 0 : itemSize;
  for (const d of dims) {
    bytes *= d;
    if (bytes > end - begin) break;
  }
  if (bytes !== end - begin) {
    const need = bytes > end - begin ? `more than ${end - begin}` : String(bytes);
    throw new LlmfsError(
      `${at}: shape [${dims.join(', ')}] of ${dtype} needs ${need} bytes but data_offsets [${begin}, ` +
        `${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape: dims.slice(), begin, end };
}

/** The reference rule: sorted by offset, the tensors tile the data section with no gap, overlap or tail. */
function checkLayout(tensors: TensorInfo[], dataSize: number, where: string): void {
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: TensorInfo | null = null;
  for (const t of tensors) {
    if (t.begin !== pos) {
      const what =
        t.begin < pos
          ? `overlap tensor ${quote(prev!.name)}, which ends at ${pos}`
          : `leave a gap after byte ${pos}`;
      throw new LlmfsError(`${where}: tensor ${quote(t.name)}: data_offsets [${t.begin}, ${t.end}] ${what}`);
    }
    pos = t.end;
    prev = t;
  }
  if (pos !== dataSize) {
    throw new LlmfsError(
      `${where}: ${dataSize - pos} bytes after the last tensor's data belong to no tensor (data ends at ` +
        `${pos}, file data is ${dataSize})`,
    );
  }
}
