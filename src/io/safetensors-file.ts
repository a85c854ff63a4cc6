// safetensors files on disk (Node). The header is read and validated first; each tensor is then
// read straight from the file into its own Float32Array, so a large file is never held whole in
// memory (let alone twice), and a lazy reader can load only the tensors it is asked for.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { atomicWriteFile, fsReason } from './atomic-write.js';
import { HOST_IS_LITTLE_ENDIAN } from './float-decode.js';
import { parseHeader, quote, readHeaderLength, type TensorInfo } from './safetensors-header.js';
import {
  intTensorFromBytes,
  safetensorsChunks,
  tensorFromBytes,
  type IntTensor,
  type Safetensors,
} from './safetensors.js';

/** An open safetensors file: the validated header now, tensor data on request. */
export interface SafetensorsReader {
  readonly metadata: Record<string, string>;
  /** Every tensor's name, dtype, shape and byte range, in file order. */
  readonly tensors: readonly TensorInfo[];
  /** Reads and decodes one tensor. */
  read(name: string): Tensor;
  /** Reads rows [r0, r1) of a float tensor (along its first axis), decoded: (r1 - r0, ...). */
  readRows(name: string, r0: number, r1: number): Tensor;
  /** Reads one I8 or U8 tensor as raw integers. */
  readInts(name: string): IntTensor;
  /** Reads every tensor. */
  readAll(): Record<string, Tensor>;
  close(): void;
}

/** Fills `buf` from the file at `position`; a short read means the file shrank under us. */
function readExact(fd: number, buf: Uint8Array, position: number, where: string): void {
  for (let off = 0; off < buf.length;) {
    let n: number;
    try {
      n = readSync(fd, buf, off, Math.min(buf.length - off, 1 << 30), position + off);
    } catch (err) {
      throw new LlmfsError(`${where}: cannot read (${fsReason(err)})`);
    }
    if (n === 0) throw new LlmfsError(`${where}: file ended early (was it truncated while being read?)`);
    off += n;
  }
}

/** Opens `path` and validates its header. `label` names the file in errors (default: the path). */
export function openSafetensorsFile(path: string, label?: string): SafetensorsReader {
  const where = label ?? path;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const reason = fsReason(err);
    throw new LlmfsError(
      reason === 'ENOENT' ? `${where}: file not found` : `${where}: cannot open (${reason})`,
    );
  }
  let open = true;
  try {
    const size = fstatSync(fd).size;
    const prefix = new Uint8Array(Math.min(8, size));
    readExact(fd, prefix, 0, where);
    const n = readHeaderLength(prefix, size, where);
    const json = new Uint8Array(n);
    readExact(fd, json, 8, where);
    const { tensors, metadata } = parseHeader(json, size - 8 - n, where);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const find = (name: string): TensorInfo => {
      if (!open) throw new LlmfsError(`${where}: read(${quote(name)}) after close()`);
      const info = byName.get(name);
      if (info === undefined) throw new LlmfsError(`${where}: no tensor named ${quote(name)}`);
      return info;
    };
    const readInts = (name: string): IntTensor => {
      const info = find(name);
      if (info.dtype !== 'I8' && info.dtype !== 'U8')
        throw new LlmfsError(`${where}: tensor ${quote(name)} is ${info.dtype}, expected I8 or U8 codes`);
      const raw = new Uint8Array(info.end - info.begin);
      readExact(fd, raw, 8 + n + info.begin, where);
      return intTensorFromBytes(info, raw);
    };
    const read = (name: string): Tensor => {
      const info = find(name);
      const at = 8 + n + info.begin;
      if (info.dtype === 'F32' && HOST_IS_LITTLE_ENDIAN) {
        // Read the bytes directly into the tensor's storage: one copy, from disk.
        const data = new Float32Array((info.end - info.begin) / 4);
        readExact(fd, new Uint8Array(data.buffer), at, where);
        return new Tensor(data, info.shape);
      }
      const raw = new Uint8Array(info.end - info.begin);
      readExact(fd, raw, at, where);
      return tensorFromBytes(info, raw, where);
    };
    const readRows = (name: string, r0: number, r1: number): Tensor => {
      const info = find(name);
      const rows = info.shape[0] ?? 1;
      if (!(Number.isInteger(r0) && Number.isInteger(r1) && 0 <= r0 && r0 < r1 && r1 <= rows))
        throw new LlmfsError(`${where}: rows [${r0}, ${r1}) of ${quote(name)}, which has ${rows}`);
      const rowBytes = (info.end - info.begin) / rows;
      const raw = new Uint8Array((r1 - r0) * rowBytes);
      readExact(fd, raw, 8 + n + info.begin + r0 * rowBytes, where);
      return tensorFromBytes({ ...info, shape: [r1 - r0, ...info.shape.slice(1)] }, raw, where);
    };
    return {
      metadata,
      tensors,
      read,
      readRows,
      readInts,
      readAll: () => Object.fromEntries(tensors.map((t) => [t.name, read(t.name)])),
      close: () => {
        if (open) closeSync(fd);
        open = false;
      },
    };
  } catch (err) {
    closeSync(fd);
    if (err instanceof LlmfsError) throw err;
    throw new LlmfsError(`${where}: cannot read (${fsReason(err)})`);
  }
}

/** Reads every tensor and the metadata of a safetensors file. */
export function readSafetensorsFile(path: string, label?: string): Safetensors {
  const reader = openSafetensorsFile(path, label);
  try {
    return { tensors: reader.readAll(), metadata: reader.metadata };
  } finally {
    reader.close();
  }
}

/** Writes tensors as F32 safetensors to `path`, atomically, streaming each tensor's bytes. */
export function writeSafetensorsFile(
  path: string,
  tensors: Record<string, Tensor | IntTensor>,
  metadata?: Record<string, string>,
): void {
  atomicWriteFile(path, safetensorsChunks(tensors, metadata));
}
