// A trained merge list and its prefixes as tokenizers (bpeFromMerges), and the readable trainer's
// per-merge counts: each checked against the fast trainer (trainBpe), a different implementation,
// or against vocabularies and encodings worked out by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bpeFromMerges, trainBpe } from '../../src/tokenizer/train.js';
import { trainMergesReadable } from '../../src/tokenizer/train-readable.js';
import { countChunks } from '../../src/tokenizer/train.js';
import { Splitter } from '../../src/tokenizer/pretokenize.js';
import { utf8Encode, utf8Decode } from '../../src/tokenizer/bytes.js';
import { LlmfsError } from '../../src/errors.js';
import { VARIED } from './corpus.js';
import { randomText, rng } from './random.js';

const TEXT = [...VARIED, randomText(rng(7), 600)].join('\n').repeat(2);

function chunksOf(text: string): { chunks: number[][]; weights: number[] } {
  const counts = countChunks([text], new Splitter({ type: 'gpt2' }), []);
  return { chunks: [...counts.keys()].map((c) => [...utf8Encode(c)]), weights: [...counts.values()] };
}

test('readable trainer: onMerge hears each merge with its pair count, as the fast trainer reports it', () => {
  const fast: unknown[] = [];
  trainBpe(TEXT, { vocabSize: 256 + 120, onMerge: (m) => fast.push(m) });
  const readable: unknown[] = [];
  const { chunks, weights } = chunksOf(TEXT);
  trainMergesReadable(chunks, weights, 256 + 120, 1, { onMerge: (m) => readable.push(m) });
  assert.equal(readable.length, 120);
  assert.deepEqual(readable, fast);
});

test('bpeFromMerges: the vocabulary and encoding a hand-made merge list spells', () => {
  const [a, b, c] = [97, 98, 99];
  // ab, then abc from (ab, c), then bc, then (a, bc): the bytes of abc again, so no new token.
  const tok = bpeFromMerges([
    [a, b, 256],
    [256, c, 257],
    [b, c, 258],
    [a, 258, 257],
  ]);
  assert.equal(tok.vocabSize, 259);
  assert.equal(utf8Decode(tok.vocab[257]!), 'abc');
  assert.equal(utf8Decode(tok.vocab[258]!), 'bc');
  assert.deepEqual(tok.encode('abcab bca'), [257, 256, 32, 258, a]);
  // The first two merges only: 'bc' is not a token yet.
  assert.deepEqual(
    bpeFromMerges([
      [a, b, 256],
      [256, c, 257],
    ]).encode('abc bc'),
    [257, 32, b, c],
  );
  assert.deepEqual(bpeFromMerges([]).encode('ab'), [a, b]);
  const specials = bpeFromMerges([[a, b, 256]], { specialTokens: ['<|end|>'] });
  assert.deepEqual(specials.encode('ab<|end|>', { allowedSpecial: 'all' }), [256, 257]);
});

test('bpeFromMerges: a merge naming a token not made yet, or a token with other bytes, is an error', () => {
  assert.throws(() => bpeFromMerges([[97, 98, 257]]), LlmfsError);
  assert.throws(() => bpeFromMerges([[97, 300, 256]]), /must name tokens made before it/);
  assert.throws(
    () =>
      bpeFromMerges([
        [97, 98, 256],
        [98, 99, 256],
      ]),
    /token 256 has other bytes than 98 and 99/,
  );
});

test('the first k merges of a trained list encode as the fast trainer stopped after k merges', () => {
  const { chunks, weights } = chunksOf(TEXT);
  const full = trainMergesReadable(chunks, weights, 256 + 150);
  for (const k of [0, 1, 2, 5, 17, 60, 149, 150]) {
    const reference = trainBpe(TEXT, { vocabSize: 256 + k });
    assert.equal(reference.merges!.length, k, 'no merge repeats a token in this text');
    const prefix = bpeFromMerges(full.slice(0, k));
    for (const s of [...VARIED, TEXT.slice(0, 900)])
      assert.deepEqual(prefix.encode(s), reference.encode(s), `k=${k}: ${JSON.stringify(s.slice(0, 40))}`);
  }
});
