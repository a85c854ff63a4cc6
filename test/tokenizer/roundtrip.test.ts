import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gpt2 } from '../../src/tokenizer/gpt2.js';
import { trainBpe } from '../../src/tokenizer/train.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { utf8Encode } from '../../src/tokenizer/bytes.js';
import type { BpeTokenizer } from '../../src/tokenizer/bpe.js';
import { randomBytes, randomText, randomTextWithLoneSurrogates, rng, wellFormed } from './random.js';

const gpt = await gpt2();
const trained = trainBpe(randomText(rng(42), 4000) + ' the quick brown fox '.repeat(40), {
  vocabSize: 600,
  pretokenizer: { type: 'gpt2' },
});
const raw = trainBpe('abracadabra '.repeat(30), { vocabSize: 300, pretokenizer: { type: 'none' } });
const custom = trainBpe('x1 y22 z333 '.repeat(30), {
  vocabSize: 300,
  pretokenizer: { type: 'regex', pattern: '\\d+' },
});
const all: [string, BpeTokenizer][] = [
  ['gpt2', gpt],
  ['trained', trained],
  ['no pre-tokenizer', raw],
  ['custom regex', custom],
];

test('round trip: decode(encode(s)) == s for random Unicode text', () => {
  for (const [name, tok] of all) {
    const r = rng(1);
    for (let i = 0; i < 300; i++) {
      const s = randomText(r, 150);
      assert.equal(tok.decode(tok.encode(s)), s, `${name}: ${JSON.stringify(s)}`);
    }
  }
});

test('round trip: a lone surrogate comes back as U+FFFD, as TextEncoder encodes it', () => {
  const r = rng(2);
  for (let i = 0; i < 200; i++) {
    const s = randomTextWithLoneSurrogates(r, 60);
    assert.equal(gpt.decode(gpt.encode(s)), wellFormed(s));
  }
});

test('round trip: decodeBytes(encodeBytes(b)) == b for random bytes, invalid UTF-8 included', () => {
  for (const [name, tok] of all) {
    const r = rng(3);
    for (let i = 0; i < 300; i++) {
      const b = randomBytes(r, 120);
      const ids = tok.encodeBytes(b);
      assert.deepEqual(tok.decodeBytes(ids), b, `${name}: ${b.join(',')}`);
      // decode never throws: invalid bytes become replacement characters.
      assert.equal(tok.decode(ids), new TextDecoder('utf-8', { ignoreBOM: true }).decode(b));
    }
  }
});

test('round trip: encodeBytes of valid UTF-8 equals encode of its text', () => {
  const r = rng(4);
  for (let i = 0; i < 100; i++) {
    const s = randomText(r, 100);
    assert.deepEqual(gpt.encodeBytes(utf8Encode(s)), gpt.encode(s));
  }
});

test('round trip: decoding any id sequence never throws for ids in the vocabulary', () => {
  const r = rng(5);
  for (let i = 0; i < 200; i++) {
    const ids = Array.from({ length: 20 }, () => Math.floor(r() * trained.vocabSize));
    assert.equal(typeof trained.decode(ids), 'string');
  }
});

test('round trip: a leading byte-order mark survives (the default TextDecoder would drop it)', () => {
  const s = '\uFEFFtext';
  assert.equal(gpt.decode(gpt.encode(s)), s);
});

test('round trip: batch encode equals encoding one by one', () => {
  const texts = ['a b c', '', 'hello\nworld', '日本'];
  assert.deepEqual(
    gpt.encodeBatch(texts),
    texts.map((t) => gpt.encode(t)),
  );
});

test('round trip: the character tokenizer returns random text unchanged', () => {
  const r = rng(6);
  const corpus = Array.from({ length: 50 }, () => randomText(r, 100)).join('');
  const tok = CharTokenizer.fromCorpus(corpus);
  for (let i = 0; i < 50; i++) {
    const s = corpus.slice(i * 37, i * 37 + 90);
    // slicing may cut a surrogate pair; skip those slices
    if (wellFormed(s) !== s) continue;
    assert.equal(tok.decode(tok.encode(s)), s);
  }
});
