// safetensors reading and writing: round trips, the reference writer's layout, and F16/BF16/F64
// decoding checked bit for bit against values made by PyTorch (scripts/make-safetensors-fixtures.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor } from '../../src/tensor/tensor.js';
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from '../../src/io/safetensors.js';
import { halfToFloat } from '../../src/io/float-decode.js';
import { makeFile } from './helpers.js';

const FIXTURES = new URL('../fixtures/safetensors/', import.meta.url);

test('safetensors: F32 tensors and metadata survive a write/read round trip exactly', () => {
  const tensors = {
    'wte.weight': new Tensor(Float32Array.from([1.5, -0, 3e-42, Infinity, NaN, -7]), [2, 3]),
    'h.0.ln_1.bias': new Tensor(Float32Array.from([0.25]), [1]),
    scalar: new Tensor(Float32Array.from([42]), []),
    empty: new Tensor(new Float32Array(0), [0, 5]),
  };
  const bytes = writeSafetensors(tensors, { format: 'pt', note: 'ünïcode ✓' });
  const back = readSafetensors(bytes);
  assert.deepEqual(back.metadata, { format: 'pt', note: 'ünïcode ✓' });
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    assert.deepEqual(back.tensors[name].shape, t.shape, name);
    assert.deepEqual(Array.from(back.tensors[name].data), Array.from(t.data), name);
  }
  assert.ok(Object.is(back.tensors['wte.weight'].data[1], -0));
});

test('safetensors: float64 tensors are written as F32 (rounded to nearest)', () => {
  const t = new Tensor(Float64Array.from([1 / 3, 1e300]), [2]);
  const back = readSafetensors(writeSafetensors({ t })).tensors.t;
  assert.deepEqual(Array.from(back.data), [Math.fround(1 / 3), Infinity]);
});

test('safetensors: the writer sorts names, pads the header with spaces to 8 bytes, and aligns the data', () => {
  const bytes = writeSafetensors({
    b: new Tensor(Float32Array.from([1, 2]), [2]),
    a: new Tensor(Float32Array.from([3]), [1]),
  });
  const n = new DataView(bytes.buffer).getUint32(0, true);
  assert.equal(n % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.equal(
    text.trimEnd(),
    '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
  );
  assert.match(text, /^[^ ]*} *$/);
  assert.equal(bytes.length, 8 + n + 12);
});

test('safetensors: an empty dict writes a valid file with header "{}"', () => {
  const bytes = writeSafetensors({});
  assert.equal(bytes.length, 16);
  assert.deepEqual(readSafetensors(bytes), { tensors: {}, metadata: {} });
});

test('safetensors: aligned F32 tensors are views of the input bytes (no copy); unaligned ones are copies', () => {
  const bytes = writeSafetensors({ a: new Tensor(Float32Array.from([1, 2, 3]), [3]) });
  const t = readSafetensors(bytes).tensors.a;
  assert.equal(t.data.buffer, bytes.buffer);
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const u = readSafetensors(shifted.subarray(1)).tensors.a;
  assert.notEqual(u.data.buffer, shifted.buffer);
  assert.deepEqual(Array.from(u.data), [1, 2, 3]);
});

test('safetensors: a tensor named "__proto__" is an ordinary entry, not a prototype', () => {
  const bytes = makeFile('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4));
  const r = readSafetensors(bytes);
  assert.equal(Object.getPrototypeOf(r.tensors), Object.prototype);
  assert.ok(Object.hasOwn(r.tensors, '__proto__'));
});

test('safetensors: the header can be read alone, sorted by offset, without decoding tensors', () => {
  const h = readSafetensorsHeader(readFileSync(new URL('dtypes.safetensors', FIXTURES)));
  assert.deepEqual(
    h.tensors.map((t) => t.begin),
    [...h.tensors.map((t) => t.begin)].sort((a, b) => a - b),
  );
  assert.equal(h.tensors[0].name, 'f32.values');
  assert.equal(h.dataStart % 8, 0);
});

test('F16 decoding: the binary16 landmarks (smallest subnormal, smallest normal, max, -0, inf, NaN)', () => {
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x0400), 2 ** -14);
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0x3555), 0.333251953125);
  assert.ok(Object.is(halfToFloat(0x8000), -0));
  assert.equal(halfToFloat(0xfc00), -Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

interface Expected {
  metadata: Record<string, string>;
  tensors: Record<string, { shape: number[]; bits: number[] }>;
}

test('safetensors: F16, BF16, F64 and F32 tensors written by PyTorch decode to the values torch gives (bit exact)', () => {
  const bytes = readFileSync(new URL('dtypes.safetensors', FIXTURES));
  const expected = JSON.parse(readFileSync(new URL('dtypes.json', FIXTURES), 'utf8')) as Expected;
  const { tensors, metadata } = readSafetensors(bytes, 'dtypes.safetensors');
  assert.deepEqual(metadata, expected.metadata);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected.tensors).sort());
  let checked = 0;
  for (const [name, want] of Object.entries(expected.tensors)) {
    const t = tensors[name];
    assert.deepEqual(t.shape, want.shape, name);
    const got = new Uint32Array(Float32Array.from(t.data).buffer);
    want.bits.forEach((b, i) => {
      const wantValue = new Float32Array(new Uint32Array([b]).buffer)[0];
      if (Number.isNaN(wantValue)) assert.ok(Number.isNaN(t.data[i]), `${name}[${i}] should be NaN`);
      else assert.equal(got[i], b, `${name}[${i}]: got ${t.data[i]}, torch gives ${wantValue}`);
      checked++;
    });
  }
  assert.ok(checked > 800);
});
