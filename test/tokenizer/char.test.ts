import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CharTokenizer, UNK } from '../../src/tokenizer/char.js';
import { tokenizerFromJson, tokenizerToJson } from '../../src/tokenizer/json-format.js';
import { LlmfsError } from '../../src/errors.js';

test('char: the vocabulary is every distinct character of the corpus, sorted by code point', () => {
  const tok = CharTokenizer.fromCorpus('hello world');
  assert.deepEqual(tok.chars, [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
  assert.equal(tok.vocabSize, 8);
  assert.deepEqual(tok.encode('hello'), [3, 2, 4, 4, 5]);
  assert.equal(tok.decode([3, 2, 4, 4, 5]), 'hello');
});

test('char: an emoji outside the BMP is one character, not two UTF-16 halves', () => {
  const tok = CharTokenizer.fromCorpus('a😀b');
  assert.equal(tok.vocabSize, 3);
  assert.deepEqual(tok.encode('😀a'), [2, 0]);
});

test("char: an unknown character is an error naming it, under the 'error' policy", () => {
  const tok = CharTokenizer.fromCorpus('abc');
  assert.throws(
    () => tok.encode('abé'),
    (e: unknown) =>
      e instanceof LlmfsError && e.message.includes('"é" (U+00E9) at index 2 is not in the vocabulary'),
  );
});

test("char: an unknown character becomes <unk> (the last id) under the 'unk' policy", () => {
  const tok = CharTokenizer.fromCorpus('abc', 'unk');
  assert.equal(tok.vocabSize, 4);
  assert.equal(tok.unkId, 3);
  assert.deepEqual(tok.encode('aéc'), [0, 3, 2]);
  assert.equal(tok.piece(3), UNK);
  assert.equal(tok.decode([0, 3, 2]), 'a\uFFFDc');
});

test('char: decoding an id outside the vocabulary is a clear error', () => {
  assert.throws(
    () => CharTokenizer.fromCorpus('ab').decode([5]),
    /token id 5 is not in the vocabulary \(size 2\)/,
  );
});

test('char: save and load through tokenizer.json keep ids and policy', () => {
  const tok = CharTokenizer.fromCorpus('the \n"quoted"\t😀 text', 'unk');
  const back = tokenizerFromJson(tokenizerToJson(tok));
  assert.ok(back instanceof CharTokenizer);
  assert.deepEqual(back.chars, tok.chars);
  assert.equal(back.unknown, 'unk');
  assert.deepEqual(back.encode('text?'), tok.encode('text?'));
});

test('char: a corrupt tokenizer.json is rejected with the file named', () => {
  const json = tokenizerToJson(CharTokenizer.fromCorpus('ab')).replace('"b"', '"a"');
  assert.throws(
    () => tokenizerFromJson(json, 'my.json'),
    /my\.json: char tokenizer: character "a" \(U\+0061\) appears twice/,
  );
});
