// Chapter 9, example 1: write two tensors to a safetensors file, look at its bytes (length prefix,
// JSON header, raw float32 data), read it back, and see a damaged file rejected.
//   npx tsx docs/examples/09-safetensors.ts

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, LlmfsError } from '../../src/index.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';

const dir = mkdtempSync(join(tmpdir(), 'llmfs-ch9-'));
const path = join(dir, 'model.safetensors');
writeSafetensorsFile(
  path,
  {
    'wpe.weight': tensor([
      [0.5, -1],
      [2, 0.25],
    ]),
    'ln_f.bias': tensor([1, -2]),
  },
  { format: 'pt' },
);

const bytes = readFileSync(path);
const n = Number(bytes.readBigUInt64LE(0));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
console.log(`file size: ${bytes.length} bytes`);
console.log(`bytes 0-7:  ${hex(bytes.subarray(0, 8))}  -> header length N = ${n}`);
const text = bytes.subarray(8, 8 + n).toString('utf8');
console.log(`header:     ${text.trimEnd()}`);
console.log(
  `padding:    ${text.length - text.trimEnd().length} spaces, so the data starts at byte ${8 + n}, a multiple of 8`,
);
console.log(`data:       ${bytes.length - 8 - n} bytes = ${(bytes.length - 8 - n) / 4} float32 values`);
console.log(`ln_f.bias:  ${hex(bytes.subarray(8 + n, 8 + n + 8))}  (1.0 and -2.0, little-endian)`);

const { tensors, metadata } = readSafetensorsFile(path);
console.log('metadata:', JSON.stringify(metadata));
for (const [name, t] of Object.entries(tensors))
  console.log(`${name} (${t.shape.join(', ')}):`, t.toList().join(' '));

// Claim a header longer than the file: the reader refuses before touching any tensor.
bytes.writeUInt32LE(999999, 0);
writeFileSync(path, bytes);
try {
  readSafetensorsFile(path, 'model.safetensors');
} catch (err) {
  if (!(err instanceof LlmfsError)) throw err;
  console.log(`damaged: ${err.message}`);
}
rmSync(dir, { recursive: true });
