// A Hugging Face model directory's weights as one source (Node): model.safetensors, or the shards
// that model.safetensors.index.json lists ({"metadata": {...}, "weight_map": {tensor: file}}), the
// format save_pretrained writes above max_shard_size (transformers' modeling_utils). Each shard's
// header is validated on open; tensors are read on demand, so no shard is held whole in memory.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LlmfsError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { parseJson } from '../tokenizer/json-parse.js';
import { fsReason } from './atomic-write.js';
import { openSafetensorsFile, type SafetensorsReader } from './safetensors-file.js';
import type { LlamaTensorSource } from './hf-llama.js';

export const INDEX_FILE = 'model.safetensors.index.json';

export interface HfWeights extends LlamaTensorSource {
  /** The files read, in order. */
  readonly files: string[];
  readRows(name: string, r0: number, r1: number): Tensor;
  close(): void;
}

/** Opens `dir`'s weights: the index and its shards if there is an index, else model.safetensors. */
export function openHfWeights(dir: string): HfWeights {
  const indexPath = join(dir, INDEX_FILE);
  const single = join(dir, 'model.safetensors');
  if (existsSync(indexPath)) return openShards(dir, indexPath);
  if (!existsSync(single) && existsSync(join(dir, 'pytorch_model.bin')))
    throw new LlmfsError(
      `${dir}: has only pytorch_model.bin (a pickle, which we do not read); ` +
        'download model.safetensors instead',
    );
  const reader = openSafetensorsFile(single);
  return {
    files: [single],
    tensors: reader.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype, file: single })),
    read: (name) => reader.read(name),
    readRows: (name, r0, r1) => reader.readRows(name, r0, r1),
    close: () => reader.close(),
  };
}

/** The index's weight_map, checked: every value a plain file name in the same directory. */
function readIndex(indexPath: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(indexPath, 'utf8');
  } catch (err) {
    throw new LlmfsError(`${indexPath}: cannot read (${fsReason(err)})`);
  }
  const raw = parseJson(text, indexPath);
  const map =
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).weight_map : undefined;
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    throw new LlmfsError(`${indexPath}: needs a "weight_map" object {tensor name: shard file}`);
  const out = new Map<string, string>();
  for (const [name, file] of Object.entries(map)) {
    if (typeof file !== 'string' || file === '' || basename(file) !== file || file === '..' || file === '.')
      throw new LlmfsError(
        `${indexPath}: weight_map gives ${JSON.stringify(file)?.slice(0, 60)} for '${name}'; ` +
          'expected a shard file name in the same directory',
      );
    out.set(name, file);
  }
  if (out.size === 0) throw new LlmfsError(`${indexPath}: weight_map is empty`);
  return out;
}

function openShards(dir: string, indexPath: string): HfWeights {
  const map = readIndex(indexPath);
  const readers = new Map<string, SafetensorsReader>();
  const closeAll = (): void => readers.forEach((r) => r.close());
  try {
    for (const file of new Set(map.values())) {
      const path = join(dir, file);
      if (!existsSync(path)) throw new LlmfsError(`${path}: shard file not found (listed in ${INDEX_FILE})`);
      readers.set(file, openSafetensorsFile(path));
    }
    const tensors = [...map].map(([name, file]) => {
      const path = join(dir, file);
      const info = readers.get(file)!.tensors.find((t) => t.name === name);
      if (!info) throw new LlmfsError(`${path}: has no tensor '${name}', which ${INDEX_FILE} places in it`);
      return { name, shape: info.shape, dtype: info.dtype, file: path };
    });
    const readerOf = (name: string): SafetensorsReader => {
      const file = map.get(name);
      if (file === undefined) throw new LlmfsError(`${indexPath}: no tensor named '${name}'`);
      return readers.get(file)!;
    };
    return {
      files: [...readers.keys()].map((f) => join(dir, f)),
      tensors,
      read: (name: string): Tensor => readerOf(name).read(name),
      readRows: (name: string, r0: number, r1: number): Tensor => readerOf(name).readRows(name, r0, r1),
      close: closeAll,
    };
  } catch (err) {
    closeAll();
    throw err;
  }
}
