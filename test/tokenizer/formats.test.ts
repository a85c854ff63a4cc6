import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainBpe } from '../../src/tokenizer/train.js';
import { bpeFromHf, bpeToHf } from '../../src/tokenizer/hf-format.js';
import { tokenizerFromJson, tokenizerToJson } from '../../src/tokenizer/json-format.js';
import { BpeTokenizer } from '../../src/tokenizer/bpe.js';
import { gpt2 } from '../../src/tokenizer/gpt2.js';
import { BYTE_TO_CHAR } from '../../src/tokenizer/byte-unicode.js';
import { loadTokenizer, saveTokenizer } from '../../src/io/tokenizer-files.js';
import { LlmfsError } from '../../src/errors.js';
import { VARIED } from './corpus.js';

const corpus = VARIED.join('\n').repeat(3);
const tok = trainBpe(corpus, { vocabSize: 700, specialTokens: ['<|endoftext|>', '<|user|>'] });
const sample = VARIED.join(' <|endoftext|> ');

/** Asserts `fn` throws one LlmfsError whose message matches. */
function fails(fn: () => unknown, pattern: RegExp): void {
  assert.throws(
    fn,
    (e: unknown) => e instanceof LlmfsError && pattern.test(e.message) && !e.message.includes('\n'),
  );
}

test("byte-unicode: GPT-2's map is a bijection, with space as Ġ and newline as Ċ", () => {
  assert.equal(new Set(BYTE_TO_CHAR).size, 256);
  assert.equal(BYTE_TO_CHAR[0x20], 'Ġ');
  assert.equal(BYTE_TO_CHAR[0x0a], 'Ċ');
  assert.equal(BYTE_TO_CHAR[0x41], 'A');
});

test('hf: vocab.json + merges.txt round trip a trained tokenizer, special tokens included', () => {
  const files = bpeToHf(tok);
  const back = bpeFromHf(files);
  assert.deepEqual(back.merges, tok.merges);
  assert.deepEqual(back.specialTokens, tok.specialTokens);
  assert.deepEqual(
    back.encode(sample, { allowedSpecial: 'all' }),
    tok.encode(sample, { allowedSpecial: 'all' }),
  );
});

test('json: tokenizer.json round trips merges, specials and a custom pre-tokenizer', () => {
  const custom = trainBpe('ab12 cd345 ab12 '.repeat(20), {
    vocabSize: 280,
    pretokenizer: { type: 'regex', pattern: '[a-z]+|\\d+' },
  });
  for (const t of [tok, custom]) {
    const back = tokenizerFromJson(tokenizerToJson(t)) as BpeTokenizer;
    assert.deepEqual(back.merges, t.merges);
    assert.deepEqual(back.pretokenizer, t.pretokenizer);
    assert.deepEqual(back.encode(sample), t.encode(sample));
  }
});

test('json: the rank-based gpt2 tokenizer round trips too', async () => {
  const g = await gpt2();
  const back = tokenizerFromJson(tokenizerToJson(g)) as BpeTokenizer;
  assert.deepEqual(
    back.encode(sample, { allowedSpecial: 'all' }),
    g.encode(sample, { allowedSpecial: 'all' }),
  );
});

test('hf errors: a malformed merges.txt names the file and the line', () => {
  const { vocabJson, mergesTxt } = bpeToHf(tok);
  const lines = mergesTxt.split('\n');
  const bad = (i: number, line: string) => [...lines.slice(0, i), line, ...lines.slice(i + 1)].join('\n');
  fails(
    () => bpeFromHf({ vocabJson, mergesTxt: bad(5, 'Ġ t h') }, { merges: 'm.txt' }),
    /^m\.txt:6: expected two tokens separated by one space, got "Ġ t h"$/,
  );
  fails(() => bpeFromHf({ vocabJson, mergesTxt: bad(3, 'Ġ') }), /^merges\.txt:4: expected two tokens/);
  fails(
    () => bpeFromHf({ vocabJson, mergesTxt: bad(7, 'Ġ zzzq') }),
    /^merges\.txt:8: token "zzzq" is not in the vocabulary$/,
  );
  fails(
    () => bpeFromHf({ vocabJson, mergesTxt: bad(2, 'q z') }),
    /^merges\.txt:3: the merged token "qz" is not in the vocabulary$/,
  );
});

test('hf errors: a malformed vocab.json names the file and the line', () => {
  const { vocabJson, mergesTxt } = bpeToHf(tok);
  const lines = vocabJson.split('\n');
  const broken = [...lines.slice(0, 10), '  "x" 12,', ...lines.slice(11)].join('\n');
  fails(
    () => bpeFromHf({ vocabJson: broken, mergesTxt }, { vocab: 'v.json' }),
    /^v\.json:11:7: invalid JSON: /,
  );
  fails(
    () => bpeFromHf({ vocabJson: vocabJson.replace('"a": ', '"a": -'), mergesTxt }),
    /^vocab\.json:\d+: token "a" has id -\d+; ids must be integers/,
  );
  fails(
    () => bpeFromHf({ vocabJson: vocabJson.replace('"b": 98', '"b": 97'), mergesTxt }),
    /^vocab\.json:\d+: tokens "a" and "b" share id 97$/,
  );
  fails(() => bpeFromHf({ vocabJson: '[1, 2]', mergesTxt }), /^vocab\.json: expected a JSON object/);
  fails(() => bpeFromHf({ vocabJson: '{"a": 0}', mergesTxt: '' }), /^vocab\.json: no token for byte 0x00/);
  fails(
    () => bpeFromHf({ vocabJson: '{\n  "a": 0,\n  "b": 1\n', mergesTxt: '' }),
    /^vocab\.json:4:1: invalid JSON: /,
  );
  fails(
    () => bpeFromHf({ vocabJson: '{\n  "a": 0,\n  "b": x\n}', mergesTxt: '' }),
    /^vocab\.json:3:8: invalid JSON: Unexpected token 'x'$/,
  );
});

test('json errors: a malformed tokenizer.json names the file and the problem', () => {
  const json = tokenizerToJson(tok);
  fails(
    () => tokenizerFromJson(json.replace('"merges": [\n', '"merges": [\n,'), 't.json'),
    /^t\.json:\d+:1: invalid JSON/,
  );
  fails(() => tokenizerFromJson('{"format": "other"}', 't.json'), /^t\.json: not an llmfs tokenizer file/);
  fails(
    () => tokenizerFromJson(json.replace('"version": 1', '"version": 9'), 't.json'),
    /unsupported version 9/,
  );
  fails(
    () => tokenizerFromJson(json.replace(/\[\d+, \d+\]/, '[1, 99999]'), 't.json'),
    /^t\.json: merges\[0\] uses token 99999, which is not in the vocab$/,
  );
  fails(
    () => tokenizerFromJson(json.replace('"pretokenizer": "gpt2"', '"pretokenizer": "(("'), 't.json'),
    /invalid regular expression/,
  );
  fails(
    () => tokenizerFromJson(json.replace('\n    "a",\n', '\n    "a\\u4e00",\n'), 't.json'),
    /^t\.json: vocab\[97\]: token "a一" has the character U\+4E00/,
  );
});

test('files: save writes vocab.json, merges.txt and tokenizer.json atomically; each loads back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-tok-'));
  try {
    const written = saveTokenizer(tok, dir);
    assert.deepEqual(readdirSync(dir).sort(), ['merges.txt', 'tokenizer.json', 'vocab.json']);
    assert.equal(written.length, 3);
    const fromDir = loadTokenizer(dir);
    const fromJson = loadTokenizer(join(dir, 'tokenizer.json'));
    rmSync(join(dir, 'tokenizer.json'));
    const fromHf = loadTokenizer(dir);
    for (const t of [fromDir, fromJson, fromHf]) assert.deepEqual(t.encode(sample), tok.encode(sample));
    const [first] = bpeToHf(tok).mergesTxt.split('\n').slice(1);
    writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${first}\nnot-a-pair-line x y\n`);
    fails(
      () => loadTokenizer(dir),
      new RegExp(`^${join(dir, 'merges.txt').replace(/[.\\]/g, '\\$&')}:3: expected two tokens`),
    );
    fails(() => loadTokenizer(join(dir, 'missing')), /does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
