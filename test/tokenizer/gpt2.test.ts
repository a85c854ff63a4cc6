import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { gpt2, GPT2_EOT } from '../../src/tokenizer/gpt2.js';
import { deriveMerges } from '../../src/tokenizer/tiktoken.js';
import { bpeFromHf, bpeToHf } from '../../src/tokenizer/hf-format.js';
import { BpeTokenizer } from '../../src/tokenizer/bpe.js';
import { MergeList } from '../../src/tokenizer/rules.js';
import { VARIED } from './corpus.js';
import { randomBytes, randomText, randomTextWithLoneSurrogates, rng } from './random.js';

const ref = getEncoding('gpt2');
const tok = await gpt2();
const ordinary = (s: string): number[] => ref.encode(s, [], []);

/** The fixed corpus plus seeded random strings, byte soup included. */
function cases(): string[] {
  const r = rng(2019);
  const out = [...VARIED];
  for (let i = 0; i < 150; i++) out.push(randomText(r, 120));
  for (let i = 0; i < 100; i++) out.push(randomTextWithLoneSurrogates(r, 60));
  const lossy = new TextDecoder();
  for (let i = 0; i < 100; i++) {
    const bytes = randomBytes(r, 80);
    out.push(lossy.decode(bytes)); // invalid UTF-8 -> U+FFFD
    out.push(String.fromCharCode(...bytes)); // each byte as a Latin-1 character
  }
  out.push(VARIED.join('\n'));
  return out;
}

test('gpt2: ids equal js-tiktoken on prose, code, numbers, whitespace, accents, CJK, emoji and random strings', () => {
  for (const s of cases()) assert.deepEqual(tok.encode(s), ordinary(s), JSON.stringify(s));
});

test('gpt2: long runs (merged with the heap) equal js-tiktoken', () => {
  for (const s of [
    ' '.repeat(700),
    'a'.repeat(500),
    'ab'.repeat(300) + '\n'.repeat(200),
    '😀'.repeat(150),
    '1'.repeat(400),
  ]) {
    assert.deepEqual(tok.encode(s), ordinary(s));
  }
});

test('gpt2: known ids for a familiar sentence', () => {
  assert.deepEqual(tok.encode('Hello world'), [15496, 995]);
  assert.equal(tok.vocabSize, 50257);
  assert.deepEqual(tok.encode(GPT2_EOT, { allowedSpecial: 'all' }), [50256]);
});

test('gpt2: special tokens only when allowed, as js-tiktoken does', () => {
  const s = 'one<|endoftext|>two <|endoftext|><|endoftext|> three';
  assert.deepEqual(tok.encode(s, { allowedSpecial: 'all' }), ref.encode(s, 'all'));
  assert.deepEqual(tok.encode(s, { allowedSpecial: [GPT2_EOT] }), ref.encode(s, [GPT2_EOT]));
  assert.deepEqual(tok.encode(s), ordinary(s));
  assert.ok(!tok.encode(s).includes(50256), 'an unallowed special token is ordinary text');
  assert.throws(() => tok.encode(s, { allowedSpecial: ['<|nope|>'] }), /not a special token/);
});

test('gpt2: decode equals js-tiktoken on random ids, including ids that split characters', () => {
  const r = rng(7);
  for (let i = 0; i < 200; i++) {
    const ids = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * 50257));
    assert.equal(tok.decode(ids), ref.decode(ids));
  }
  assert.throws(() => tok.decode([50257]), /token id 50257 is not in the vocabulary/);
});

test('gpt2: vocab.json + merges.txt derived from the ranks load and encode exactly like js-tiktoken', () => {
  const merges = deriveMerges(tok.vocab);
  assert.equal(merges.length, 50000, 'GPT-2 has 50,000 merges');
  const ranked = new BpeTokenizer({
    vocab: tok.vocab,
    rules: new MergeList(merges),
    merges,
    specialTokens: tok.specialTokens,
  });
  const files = bpeToHf(ranked);
  assert.ok(
    files.mergesTxt.startsWith('#version: 0.2\nĠ t\nĠ a\nh e\n'),
    'the first merges are the famous ones',
  );
  const hf = bpeFromHf(files);
  assert.deepEqual(hf.specialTokens, { [GPT2_EOT]: 50256 });
  for (const s of cases()) assert.deepEqual(hf.encode(s), ordinary(s), JSON.stringify(s));
});

test('gpt2: pieces show token bytes readably', () => {
  const ids = tok.encode(' naïve 😀');
  assert.deepEqual(
    ids.map((id) => tok.piece(id)),
    [' naïve', ' <0xF0><0x9F><0x98>', '<0x80>'],
  );
  assert.equal(tok.piece(50256), GPT2_EOT);
});
