// The vocabulary of a GGUF file (GGUF v3, ggml docs/gguf.md): metadata value types, the ggml
// tensor types we write, and their sizes. Shared by the writer and the reader.

import { LlmfsError } from '../../errors.js';
import { QK, Q4_0_BLOCK_BYTES, Q8_0_BLOCK_BYTES } from './ggml-quants.js';

/** "GGUF" as bytes 0x47 0x47 0x55 0x46; read as a little-endian uint32 it is 0x46554747. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_VERSION = 3;
/** general.alignment's default; tensor data offsets are multiples of it. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** gguf_metadata_value_type: the code written before each metadata value. */
export const VALUE_TYPE = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;
export type ScalarType = Exclude<keyof typeof VALUE_TYPE, 'array'>;
export type Scalar = number | bigint | boolean | string;

/** A metadata value: one typed scalar, or an array of scalars of one type. */
export type MetadataValue =
  { type: ScalarType; value: Scalar } | { type: 'array'; itemType: ScalarType; values: readonly Scalar[] };

/** Metadata in file order: key -> value. */
export type Metadata = Map<string, MetadataValue>;

/** The ggml_type codes of the tensor types this exporter writes. */
export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GGML_TYPE;

/** Values per block and bytes per block of each type. */
const LAYOUT: Record<GgmlTypeName, [block: number, bytes: number]> = {
  F32: [1, 4],
  F16: [1, 2],
  Q4_0: [QK, Q4_0_BLOCK_BYTES],
  Q8_0: [QK, Q8_0_BLOCK_BYTES],
};

export function ggmlTypeName(code: number): GgmlTypeName | undefined {
  return (Object.keys(GGML_TYPE) as GgmlTypeName[]).find((k) => GGML_TYPE[k] === code);
}

export function blockSize(type: GgmlTypeName): number {
  return LAYOUT[type][0];
}

/**
 * Bytes of a tensor with ggml dims `ne` (ne[0] the contiguous one) in `type`. Blocks run along
 * rows, so ne[0] must be a multiple of the block size.
 */
export function tensorBytes(type: GgmlTypeName, ne: readonly number[]): number {
  const [block, bytes] = LAYOUT[type];
  if (ne[0] % block !== 0)
    throw new LlmfsError(`${type}: a row of ${ne[0]} values is not a whole number of ${block}-value blocks`);
  return (ne.reduce((a, b) => a * b, 1) / block) * bytes;
}

/** The next multiple of `alignment` at or after `offset`. */
export const alignTo = (offset: number, alignment: number): number =>
  offset + ((alignment - (offset % alignment)) % alignment);
