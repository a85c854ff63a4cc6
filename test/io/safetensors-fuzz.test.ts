// Property test: 12,000 mutated safetensors files (bit flips, truncations, header-length edits,
// JSON edits of offsets, shapes and dtypes). Each must load correctly or throw LlmfsError: never
// another exception, a hang, or an allocation larger than the file. Replay a case from its seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { readSafetensors, writeSafetensors, type Safetensors } from '../../src/io/safetensors.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { makeFile, prng } from './helpers.js';

const CASES = 12000;
const FILE_EVERY = 24; // also run every 24th case through the file reader and compare

const bases: Uint8Array[] = [
  writeSafetensors(
    {
      'wte.weight': new Tensor(
        Float32Array.from({ length: 12 }, (_, i) => i - 5.5),
        [4, 3],
      ),
      'ln_f.bias': new Tensor(Float32Array.from([0.5, -0.5, 2]), [3]),
      scalar: new Tensor(Float32Array.from([1]), []),
    },
    { format: 'pt' },
  ),
  new Uint8Array(readFileSync(new URL('../fixtures/safetensors/dtypes.safetensors', import.meta.url))),
  makeFile(
    {
      h: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
    },
    new Uint8Array(12).fill(0x3c),
  ),
];

type Rand = ReturnType<typeof prng>;
const WEIRD: unknown[] = [0, 1, 2, 3, 4, 8, -1, 1.5, 2 ** 31, 2 ** 53, 1e20, '2', null, true, [], {}];
const DTYPES: unknown[] = ['F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'f32', 'X', 3, null];

function split(bytes: Uint8Array): { text: string; data: Uint8Array } | null {
  if (bytes.length < 8) return null;
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (n + 8 > bytes.length) return null;
  return { text: new TextDecoder().decode(bytes.subarray(8, 8 + n)), data: bytes.slice(8 + n) };
}

/** One JSON-level edit of the header: a tensor's dtype, shape or offsets, or the entries themselves. */
function editJson(bytes: Uint8Array, r: Rand): Uint8Array {
  const parts = split(bytes);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(parts!.text) as Record<string, unknown>;
  } catch {
    return bytes;
  }
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = names.length > 0 ? r.pick(names) : 'x';
  const entry = (typeof header[name] === 'object' && header[name] !== null ? header[name] : {}) as Record<
    string,
    unknown
  >;
  const offsets = Array.isArray(entry.data_offsets) ? [...(entry.data_offsets as unknown[])] : [0, 0];
  const shape = Array.isArray(entry.shape) ? [...(entry.shape as unknown[])] : [];
  switch (r.int(10)) {
    case 0:
      entry.dtype = r.pick(DTYPES);
      break;
    case 1:
      shape.push(r.pick(WEIRD));
      entry.shape = shape;
      break;
    case 2:
      shape.pop();
      entry.shape = shape;
      break;
    case 3:
      shape[r.int(shape.length + 1)] = r.pick(WEIRD);
      entry.shape = r.int(8) === 0 ? r.pick(WEIRD) : shape;
      break;
    case 4:
      offsets[r.int(2)] = (offsets[r.int(2)] as number) + r.int(17) - 8;
      entry.data_offsets = offsets;
      break;
    case 5:
      entry.data_offsets =
        r.int(2) === 0 ? [offsets[1], offsets[0]] : [r.pick(WEIRD), r.pick(WEIRD)].slice(0, r.int(4));
      break;
    case 6:
      delete entry[r.pick(['dtype', 'shape', 'data_offsets'])];
      break;
    case 7:
      header[r.int(2) === 0 ? name : `new${r.int(3)}`] =
        r.int(2) === 0
          ? r.pick(WEIRD)
          : { dtype: r.pick(DTYPES), shape: [r.int(3)], data_offsets: [r.int(40), r.int(40)] };
      break;
    case 8:
      header.__metadata__ = r.pick([{ k: 'v' }, { k: 1 }, 'x', null, [], { [name]: 'ok' }]);
      break;
    default: {
      // reorder entries, or repeat one as a duplicate key
      const keys = Object.keys(header).sort(() => r.next() - 0.5);
      const fields = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(header[k])}`);
      if (r.int(2) === 0 && fields.length > 0) fields.push(r.pick(fields));
      return makeFile(`{${fields.join(',')}}`, parts!.data);
    }
  }
  if (header[name] !== undefined && typeof header[name] === 'object') header[name] = entry;
  return makeFile(JSON.stringify(header), parts!.data);
}

function mutate(base: Uint8Array, r: Rand): Uint8Array {
  let b: Uint8Array = base.slice();
  for (let k = 1 + r.int(3); k > 0; k--) {
    const headerEnd = Math.min(b.length, 8 + (split(b)?.text.length ?? 64));
    switch (r.int(7)) {
      case 0: {
        // flip a bit, mostly in the header
        if (b.length === 0) break;
        const at = r.int(4) > 0 ? r.int(headerEnd) : r.int(b.length);
        b[at] ^= 1 << r.int(8);
        break;
      }
      case 1:
        b = b.slice(0, r.int(b.length + 1));
        break;
      case 2: {
        const tail = new Uint8Array(1 + r.int(16)).map(() => r.int(256));
        const c = new Uint8Array(b.length + tail.length);
        c.set(b);
        c.set(tail, b.length);
        b = c;
        break;
      }
      case 3: {
        // edit the header length
        if (b.length < 8) break;
        const v = new DataView(b.buffer);
        const n = v.getUint32(0, true);
        const choice = r.int(4);
        if (choice === 0) v.setUint32(0, Math.max(0, n + r.int(33) - 16), true);
        else if (choice === 1) v.setUint32(0, r.int(2 ** 32), true);
        else if (choice === 2) v.setUint32(4, 1 + r.int(2 ** 32 - 1), true);
        else v.setUint32(0, b.length - 8 - r.int(3), true);
        break;
      }
      default:
        b = editJson(b, r);
    }
  }
  return b;
}

/** What a successful read must satisfy: shapes match data, and nothing is larger than the file. */
function checkLoaded(res: Safetensors, size: number, seed: number): void {
  let elements = 0;
  for (const t of Object.values(res.tensors)) {
    assert.ok(t instanceof Tensor, `seed ${seed}`);
    assert.equal(
      t.data.length,
      t.shape.reduce((a, d) => a * d, 1),
      `seed ${seed}`,
    );
    elements += t.data.length;
  }
  assert.ok(elements <= size, `seed ${seed}: ${elements} elements from a ${size}-byte file`);
}

function attempt(read: () => Safetensors, seed: number): Safetensors | string {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof LlmfsError)) assert.fail(`seed ${seed}: ${String(err)} is not an LlmfsError`);
    return err.message;
  }
}

test(`safetensors fuzz: ${CASES} mutated files each load correctly or throw LlmfsError, and the file reader agrees`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-fuzz-'));
  const started = Date.now();
  let loaded = 0;
  let slowest = 0;
  try {
    for (let seed = 0; seed < CASES; seed++) {
      const r = prng(seed);
      const bytes = mutate(bases[seed % bases.length], r);
      const t0 = Date.now();
      const res = attempt(() => readSafetensors(bytes, 'f'), seed);
      slowest = Math.max(slowest, Date.now() - t0);
      if (typeof res !== 'string') {
        checkLoaded(res, bytes.length, seed);
        loaded++;
      }
      if (seed % FILE_EVERY === 0) {
        const path = join(dir, 'f');
        writeFileSync(path, bytes);
        const fromFile = attempt(() => readSafetensorsFile(path, 'f'), seed);
        if (typeof res === 'string' || typeof fromFile === 'string')
          assert.equal(fromFile, res, `seed ${seed}`);
        else assert.deepEqual(fromFile, res, `seed ${seed}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `# fuzz: ${CASES} cases, ${loaded} loaded, ${CASES - loaded} rejected, ${seconds.toFixed(2)} s, slowest ${slowest} ms`,
  );
  assert.ok(
    loaded > CASES / 50,
    `only ${loaded} mutated files loaded: the mutations are too destructive to test the happy path`,
  );
  assert.ok(seconds < 30, `fuzzing took ${seconds} s`);
  assert.ok(slowest < 1000, `one case took ${slowest} ms`);
});
