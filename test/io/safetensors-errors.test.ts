// Hostile safetensors headers: every fault the reference implementation rejects gives one
// LlmfsError that names the file and, where there is one, the tensor.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmfsError } from '../../src/errors.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { f32Bytes, makeFile } from './helpers.js';

const F = 'm.safetensors';
const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
const data8 = f32Bytes([1, 2]);

/** Asserts that reading `bytes` throws an LlmfsError, naming the file, whose message matches. */
function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => readSafetensors(bytes, F),
    (err: unknown) => {
      assert.ok(err instanceof LlmfsError, `expected LlmfsError, got ${String(err)}`);
      assert.ok(err.message.startsWith(`${F}: `), err.message);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    },
  );
}

const cases: [string, Uint8Array, RegExp][] = [
  ['a file shorter than the 8-byte length', new Uint8Array(5), /file is 5 bytes, too short/],
  [
    'a header length past the end of the file',
    makeFile({ a: ok }, data8, 999999),
    /header length 999999 exceeds file size 72/,
  ],
  [
    'a header length above 100 MB',
    makeFile({ a: ok }, data8, 2 ** 40),
    /header length 1099511627776 is larger than the 100000000-byte limit/,
  ],
  ['a header length too short for JSON', makeFile({}, new Uint8Array(0), 1), /header length 1 is too short/],
  [
    'a header that is not UTF-8',
    makeFile('{"\xff"}', new Uint8Array(0)).map((b, i) => (i === 10 ? 0xff : b)),
    /not valid UTF-8/,
  ],
  ['a header that is not an object', makeFile('[1, 2]'), /does not start with '\{'/],
  ['a header that is not JSON', makeFile('{"a": '), /header is not valid JSON/],
  [
    'a repeated tensor name',
    makeFile(`{"a":${JSON.stringify(ok)},"a":${JSON.stringify(ok)}}`, data8),
    /duplicate key "a" in the header/,
  ],
  [
    'a repeated field',
    makeFile('{"a":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}', data8),
    /duplicate key "dtype" in tensor "a"/,
  ],
  [
    'a repeated metadata key',
    makeFile('{"__metadata__":{"k":"1","k":"2"}}'),
    /duplicate key "k" in __metadata__/,
  ],
  ['an entry that is not an object', makeFile({ a: [1] }, data8), /tensor "a": entry must be an object/],
  [
    'a missing dtype',
    makeFile({ a: { shape: [2], data_offsets: [0, 8] } }, data8),
    /tensor "a": dtype is missing/,
  ],
  ['an unknown dtype', makeFile({ a: { ...ok, dtype: 'F17' } }, data8), /tensor "a": unknown dtype "F17"/],
  [
    'a missing shape',
    makeFile({ a: { dtype: 'F32', data_offsets: [0, 8] } }, data8),
    /tensor "a": shape is missing/,
  ],
  [
    'a negative dimension',
    makeFile({ a: { ...ok, shape: [-2] } }, data8),
    /tensor "a": shape \[-2\] must hold non-negative integers/,
  ],
  ['a fractional dimension', makeFile({ a: { ...ok, shape: [2.5] } }, data8), /non-negative integers/],
  ['a string dimension', makeFile({ a: { ...ok, shape: ['2'] } }, data8), /non-negative integers/],
  [
    'a dimension beyond 2^53',
    makeFile('{"a":{"dtype":"F32","shape":[1e300],"data_offsets":[0,8]}}', data8),
    /non-negative integers/,
  ],
  [
    'one data offset',
    makeFile({ a: { ...ok, data_offsets: [0] } }, data8),
    /tensor "a": data_offsets must be two non-negative integers/,
  ],
  ['a negative offset', makeFile({ a: { ...ok, data_offsets: [-4, 8] } }, data8), /data_offsets must be two/],
  [
    'offsets that end before they begin',
    makeFile({ a: { ...ok, data_offsets: [8, 0] } }, data8),
    /data_offsets \[8, 0\] end before they begin/,
  ],
  [
    'offsets past the data',
    makeFile({ a: { ...ok, data_offsets: [0, 16] } }, data8),
    /data_offsets \[0, 16\] run past the end of the data \(8 bytes\)/,
  ],
  [
    'a shape too small for its bytes',
    makeFile({ a: { ...ok, shape: [1] } }, data8),
    /tensor "a": shape \[1\] of F32 needs 4 bytes but data_offsets \[0, 8\] hold 8/,
  ],
  [
    'a dtype too wide for its bytes',
    makeFile({ a: { ...ok, dtype: 'F64' } }, data8),
    /shape \[2\] of F64 needs more than 8 bytes/,
  ],
  [
    'a shape whose product overflows',
    makeFile({ a: { ...ok, shape: [2 ** 50, 2 ** 50, 2 ** 50, 0.5 * 2] } }, data8),
    /needs more than 8 bytes/,
  ],
  [
    'a gap between tensors',
    makeFile(
      { a: { ...ok, shape: [1], data_offsets: [0, 4] }, b: { ...ok, shape: [0], data_offsets: [8, 8] } },
      data8,
    ),
    /tensor "b": data_offsets \[8, 8\] leave a gap after byte 4/,
  ],
  [
    'data that does not start at 0',
    makeFile({ a: { ...ok, shape: [1], data_offsets: [4, 8] } }, data8),
    /tensor "a": data_offsets \[4, 8\] leave a gap after byte 0/,
  ],
  [
    'overlapping tensors',
    makeFile({ a: ok, b: { ...ok, shape: [1], data_offsets: [4, 8] } }, data8),
    /tensor "b": data_offsets \[4, 8\] overlap tensor "a", which ends at 8/,
  ],
  [
    'bytes after the last tensor',
    makeFile({ a: { ...ok, shape: [1], data_offsets: [0, 4] } }, data8),
    /4 bytes after the last tensor's data belong to no tensor/,
  ],
  [
    'metadata that is not an object',
    makeFile({ __metadata__: 'x' }),
    /__metadata__ must be an object of strings/,
  ],
  [
    'a metadata value that is not a string',
    makeFile({ __metadata__: { step: 3 } }),
    /__metadata__ value for "step" is number, not a string/,
  ],
  [
    'a dtype that is not a float',
    makeFile({ a: { ...ok, dtype: 'I64', shape: [1] } }, data8),
    /tensor "a": dtype I64 cannot be read as floats/,
  ],
];

for (const [what, bytes, pattern] of cases) {
  test(`safetensors header: ${what} is rejected with a clear error`, () => rejects(bytes, pattern));
}

test('safetensors header: a very long tensor name is shortened in the message', () => {
  const name = 'x'.repeat(10000);
  rejects(makeFile({ [name]: { ...ok, dtype: 'Q' } }, data8), /tensor "x{70,}\.\.\.": unknown dtype/);
});

test('safetensors header: without a file name, errors say "safetensors"', () => {
  assert.throws(() => readSafetensors(new Uint8Array(3)), /^LlmfsError: safetensors: file is 3 bytes/);
});

test('safetensors header: deeply nested JSON is rejected without a stack overflow', () => {
  const deep = `{"a":${'['.repeat(200000)}${']'.repeat(200000)}}`;
  rejects(makeFile(deep), /tensor "a": entry must be an object/);
});

test('safetensors header: null metadata and extra fields are accepted, as by the reference', () => {
  const r = readSafetensors(makeFile({ __metadata__: null, a: { ...ok, extra: true } }, data8), F);
  assert.deepEqual(r.metadata, {});
  assert.deepEqual(Array.from(r.tensors.a.data), [1, 2]);
});
