// The text reader refuses what is not text: a NUL byte (binary: executables, images, UTF-16) or
// ill-formed UTF-8, naming the file and the first bad byte, unless an encoding says otherwise.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeText, readTextSource } from '../../src/io/text-data.js';
import { LlmfsError } from '../../src/errors.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const fails = (f: () => unknown, re: RegExp) =>
  assert.throws(
    f,
    (e: unknown) => e instanceof LlmfsError && re.test(e.message) && !e.message.includes('\n'),
  );

test('decodeText: a NUL byte means binary; the offset of the first one is named', () => {
  fails(
    () => decodeText(bytes(0x61, 0x62, 0x00, 0x63), 'x.bin'),
    /x\.bin looks binary.*NUL byte at offset 2/,
  );
  // UTF-16 text is half NULs.
  fails(
    () => decodeText(bytes(0xff, 0xfe, 0x61, 0x00), 'u16.txt'),
    /u16\.txt is not valid UTF-8.*0xFF at offset 0/,
  );
});

test('decodeText: ill-formed UTF-8 is refused at its first bad byte (lone continuation, overlong, truncated)', () => {
  fails(() => decodeText(bytes(0x63, 0x61, 0x66, 0xe9, 0x21), 'latin1.txt'), /byte 0xE9 at offset 3/);
  fails(() => decodeText(bytes(0x61, 0x80), 'f'), /byte 0x80 at offset 1/);
  fails(() => decodeText(bytes(0xc0, 0xaf), 'f'), /byte 0xC0 at offset 0/); // overlong '/'
  fails(() => decodeText(bytes(0x61, 0x62, 0xe2, 0x82), 'f'), /byte 0xE2 at offset 2/); // cut short
  fails(() => decodeText(bytes(0xed, 0xa0, 0x80), 'f'), /byte 0xED at offset 0/); // a surrogate
  // Invalid UTF-8 before a NUL is reported as such; a NUL first as binary.
  fails(() => decodeText(bytes(0x61, 0xff, 0x00), 'f'), /not valid UTF-8.*offset 1/);
  fails(() => decodeText(bytes(0x00, 0xff), 'f'), /looks binary.*offset 0/);
});

test('decodeText: valid UTF-8 (BOM kept, 4-byte characters) reads as it is', () => {
  const text = '\uFEFFcafé 🙂 日本';
  assert.equal(decodeText(new TextEncoder().encode(text), 'f'), text);
  assert.equal(decodeText(bytes(), 'f'), '');
});

test('decodeText: utf8-lossy replaces bad sequences; latin1 reads one character per byte', () => {
  assert.equal(decodeText(bytes(0x61, 0xff, 0x00, 0x62), 'f', 'utf8-lossy'), 'a\uFFFD\u0000b');
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const s = decodeText(all, 'f', 'latin1');
  assert.equal(s.length, 256);
  for (let i = 0; i < 256; i++) assert.equal(s.charCodeAt(i), i);
});

test('readTextSource: an executable is refused by name; --encoding latin1 reads it; a folder names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-enc-'));
  const exe = readFileSync(process.execPath).subarray(0, 4096);
  writeFileSync(join(dir, 'node.bin'), exe);
  fails(
    () => readTextSource(join(dir, 'node.bin')),
    /node\.bin (looks binary|is not valid UTF-8).*--encoding/,
  );
  assert.equal(readTextSource(join(dir, 'node.bin'), undefined, { encoding: 'latin1' }).text.length, 4096);
  writeFileSync(join(dir, 'a.txt'), 'fine');
  writeFileSync(join(dir, 'b.txt'), bytes(0x6f, 0x6b, 0xfe));
  fails(() => readTextSource(dir), /b\.txt is not valid UTF-8 text \(byte 0xFE at offset 2\)/);
  assert.equal(readTextSource(dir, undefined, { encoding: 'utf8-lossy' }).text, 'fine\n\nok\uFFFD');
  fails(
    () => readTextSource(dir, undefined, { encoding: 'utf16' as 'utf8' }),
    /unknown encoding 'utf16' \(use utf8, utf8-lossy, latin1\)/,
  );
});
