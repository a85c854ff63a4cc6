import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Splitter, parsePretokenizer, splitSpecials } from '../../src/tokenizer/pretokenize.js';
import { showBytes, utf8Runs } from '../../src/tokenizer/bytes.js';
import { LlmfsError } from '../../src/errors.js';
import { randomText, rng } from './random.js';

const gpt2 = new Splitter({ type: 'gpt2' });

test("pretokenize: GPT-2's regex splits words with their leading space, contractions and digits", () => {
  assert.deepEqual(gpt2.split("Hello world, it's 2024!"), [
    'Hello',
    ' world',
    ',',
    ' it',
    "'s",
    ' 2024',
    '!',
  ]);
  assert.deepEqual(gpt2.split("we'll they're I've"), ['we', "'ll", ' they', "'re", ' I', "'ve"]);
});

test('pretokenize: a run of spaces leaves its last space to the next word', () => {
  assert.deepEqual(gpt2.split('a   b'), ['a', '  ', ' b']);
  assert.deepEqual(gpt2.split('a \n\n b  '), ['a', ' \n\n', ' b', '  ']);
});

test('pretokenize: chunks always concatenate back to the input, for every kind of splitter', () => {
  const splitters = [
    gpt2,
    new Splitter({ type: 'none' }),
    new Splitter({ type: 'regex', pattern: '\\p{L}+' }),
    new Splitter({ type: 'regex', pattern: 'x*' }),
  ];
  const r = rng(8);
  for (let i = 0; i < 200; i++) {
    const s = randomText(r, 80);
    for (const sp of splitters) assert.equal(sp.split(s).join(''), s);
  }
});

test('pretokenize: a custom regex keeps the text it does not match as chunks of its own', () => {
  assert.deepEqual(new Splitter({ type: 'regex', pattern: '\\d+' }).split('ab12cd3'), [
    'ab',
    '12',
    'cd',
    '3',
  ]);
});

test('pretokenize: an invalid custom regex is a clear error', () => {
  assert.throws(
    () => parsePretokenizer('(['),
    (e: unknown) => e instanceof LlmfsError && /invalid regular expression/.test(e.message),
  );
  assert.deepEqual(parsePretokenizer('gpt2'), { type: 'gpt2' });
  assert.deepEqual(parsePretokenizer('none'), { type: 'none' });
});

test('pretokenize: special tokens are cut out first, the longest first', () => {
  assert.deepEqual(splitSpecials('a<|end|>b<|endoftext|>', ['<|end|>', '<|endoftext|>']), [
    { text: 'a', special: false },
    { text: '<|end|>', special: true },
    { text: 'b', special: false },
    { text: '<|endoftext|>', special: true },
  ]);
  assert.deepEqual(splitSpecials('<<a>>', ['<a>', '<<a>>']), [{ text: '<<a>>', special: true }]);
  assert.deepEqual(splitSpecials('', ['x']), []);
});

test('bytes: UTF-8 runs separate valid text from invalid bytes', () => {
  const b = new Uint8Array([0x61, 0xff, 0xfe, 0xc3, 0xa9, 0xe2, 0x82, 0x61]);
  assert.deepEqual(utf8Runs(b), [
    { start: 0, end: 1, valid: true },
    { start: 1, end: 3, valid: false },
    { start: 3, end: 5, valid: true },
    { start: 5, end: 7, valid: false },
    { start: 7, end: 8, valid: true },
  ]);
  assert.equal(showBytes(b), 'a<0xFF><0xFE>é<0xE2><0x82>a');
  // overlong encodings and surrogates are invalid
  assert.equal(utf8Runs(new Uint8Array([0xc0, 0x80, 0xed, 0xa0, 0x80])).length, 1);
});
