import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainBpe, type TrainProgress } from '../../src/tokenizer/train.js';
import { Splitter, type Pretokenizer } from '../../src/tokenizer/pretokenize.js';
import { bytesKey, utf8Encode } from '../../src/tokenizer/bytes.js';
import { LlmfsError } from '../../src/errors.js';
import type { Merge } from '../../src/tokenizer/rules.js';
import { randInt, randomText, rng } from './random.js';

/**
 * The textbook trainer (Sennrich et al. 2016, figure 1), with no cleverness: recount every pair
 * of every chunk after each merge. The fast trainer must learn exactly the same merges.
 */
function naiveTrain(text: string, vocabSize: number, pretokenizer: Pretokenizer): Merge[] {
  const counts = new Map<string, number>();
  for (const c of new Splitter(pretokenizer).split(text)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const words = [...counts].map(([c, n]) => ({ ids: [...utf8Encode(c)], n }));
  const vocab: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
  const byKey = new Map(vocab.map((v, id) => [bytesKey(new Uint8Array(v)), id]));
  const merges: Merge[] = [];
  while (vocab.length < vocabSize) {
    const pairs = new Map<string, { a: number; b: number; n: number }>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.ids.length; i++) {
        const k = `${w.ids[i]},${w.ids[i + 1]}`;
        const p = pairs.get(k) ?? { a: w.ids[i], b: w.ids[i + 1], n: 0 };
        p.n += w.n;
        pairs.set(k, p);
      }
    }
    let best: { a: number; b: number; n: number } | undefined;
    for (const p of pairs.values()) {
      if (!best || p.n > best.n || (p.n === best.n && (p.a < best.a || (p.a === best.a && p.b < best.b))))
        best = p;
    }
    if (!best) break;
    const bytes = [...vocab[best.a], ...vocab[best.b]];
    let c = byKey.get(bytesKey(new Uint8Array(bytes)));
    if (c === undefined) {
      c = vocab.length;
      vocab.push(bytes);
      byKey.set(bytesKey(new Uint8Array(bytes)), c);
    }
    merges.push([best.a, best.b, c]);
    for (const w of words) {
      const out: number[] = [];
      for (let i = 0; i < w.ids.length; i++) {
        if (i + 1 < w.ids.length && w.ids[i] === best.a && w.ids[i + 1] === best.b) {
          out.push(c);
          i++;
        } else out.push(w.ids[i]);
      }
      w.ids = out;
    }
  }
  return merges;
}

/** Text from a tiny alphabet, so pairs repeat and overlap ("aaaa", "abab"). */
function repetitiveText(seed: number, length: number): string {
  const r = rng(seed);
  const alphabet = ['a', 'b', 'c', 'a', 'a', ' ', 'é', '\n'];
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randInt(r, 0, alphabet.length - 1)];
  return s;
}

test('train: the fast trainer learns exactly the merges of the naive recounting trainer', () => {
  for (let seed = 1; seed <= 6; seed++) {
    for (const pretokenizer of [{ type: 'gpt2' }, { type: 'none' }] as Pretokenizer[]) {
      const text = seed % 2 ? repetitiveText(seed, 1500) : randomText(rng(seed), 400).repeat(3);
      const fast = trainBpe(text, { vocabSize: 256 + 60, pretokenizer });
      assert.deepEqual(
        fast.merges,
        naiveTrain(text, 256 + 60, pretokenizer),
        `seed ${seed}, ${pretokenizer.type}`,
      );
    }
  }
});

test('train: the classic example aaabdaaabac merges aa, then ab (tie to the older ids), then aa+ab', () => {
  const tok = trainBpe('aaabdaaabac', { vocabSize: 259, pretokenizer: { type: 'none' } });
  assert.deepEqual(
    tok.merges!.map(([, , c]) => tok.piece(c)),
    ['aa', 'ab', 'aaab'],
  );
  assert.deepEqual(
    tok.encode('aaabdaaabac').map((id) => tok.piece(id)),
    ['aaab', 'd', 'aaab', 'a', 'c'],
  );
});

test('train: deterministic: the same corpus and options give the same tokenizer', () => {
  const text = randomText(rng(3), 2000);
  const a = trainBpe(text, { vocabSize: 400 });
  const b = trainBpe(text, { vocabSize: 400 });
  assert.deepEqual(a.merges, b.merges);
});

test('train: reaches the requested size, with special tokens taking the last ids', () => {
  const text = 'the cat sat on the mat. '.repeat(50) + 'a dog ate the hat<|endoftext|>the end';
  const tok = trainBpe(text, { vocabSize: 280, specialTokens: ['<|endoftext|>', '<|pad|>'] });
  assert.equal(tok.vocabSize, 280);
  assert.deepEqual(tok.specialTokens, { '<|endoftext|>': 278, '<|pad|>': 279 });
  const ids = tok.encode('the end<|endoftext|>', { allowedSpecial: 'all' });
  assert.equal(ids[ids.length - 1], 278);
  assert.equal(tok.decode(ids), 'the end<|endoftext|>');
});

test('train: a special token in the corpus is never merged into ordinary tokens', () => {
  const tok = trainBpe('<|endoftext|>'.repeat(100) + 'ab ab', {
    vocabSize: 300,
    specialTokens: ['<|endoftext|>'],
  });
  for (const [, , c] of tok.merges!) assert.ok(!/[<|>]/.test(tok.piece(c)), tok.piece(c));
});

test('train: merges never cross a pre-token boundary under the GPT-2 pattern', () => {
  const tok = trainBpe('hello world, hello there! '.repeat(20), { vocabSize: 300 });
  for (const [, , c] of tok.merges!) {
    const piece = tok.piece(c);
    assert.ok(!/\S\s/.test(piece) && !/[a-z][,!]/.test(piece), piece);
  }
});

test('train: stops early when no pair is left or the best pair is too rare', () => {
  assert.equal(trainBpe('ab', { vocabSize: 1000 }).vocabSize, 257);
  const rare = trainBpe('xy xy xy qz', { vocabSize: 1000, minFrequency: 2 });
  assert.deepEqual(
    rare.merges!.map(([, , c]) => rare.piece(c)),
    ['xy', ' xy'],
  );
});

test('train: reports progress ending at the number of merges made', () => {
  const seen: TrainProgress[] = [];
  trainBpe(repetitiveText(9, 3000), { vocabSize: 356, onProgress: (p) => seen.push(p) });
  assert.equal(seen[0].phase, 'count');
  assert.deepEqual(seen[seen.length - 1], { phase: 'merge', done: 100, total: 100 });
});

test('train: a vocabulary smaller than the byte alphabet is a clear error', () => {
  assert.throws(
    () => trainBpe('abc', { vocabSize: 100 }),
    (e: unknown) => e instanceof LlmfsError && /from 256/.test(e.message),
  );
  assert.throws(() => trainBpe('abc', { vocabSize: 257, specialTokens: ['<a>', '<b>'] }), /from 258/);
  assert.throws(() => trainBpe('abc', { vocabSize: 300, specialTokens: ['<a>', '<a>'] }), /distinct/);
});

test('train: a trained tokenizer encodes its own corpus back to the same text', () => {
  const text = randomText(rng(11), 3000);
  const tok = trainBpe(text, { vocabSize: 500 });
  assert.equal(tok.decode(tok.encode(text)), text);
  assert.ok(tok.encode(text).length < utf8Encode(text).length, 'merges compress');
});
