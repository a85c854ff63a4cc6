// no_repeat_ngram_size: the banned tokens equal a transcription of Hugging Face's
// NoRepeatNGramLogitsProcessor (a dict from each (n-1)-gram of the sequence to the tokens that
// followed it, looked up with the last n - 1 tokens) on fixed sequences and logits; greedy and
// sampled generations with it never complete an n-gram that occurred before (property test);
// bad sizes are one clear line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bannedNgramTokens, noRepeatNgram } from '../../src/generate/no-repeat-ngram.js';
import { buildProcessors } from '../../src/generate/settings.js';
import { generate } from '../../src/generate/generate.js';
import { GPT } from '../../src/model/gpt.js';
import { Rng, manualSeed } from '../../src/tensor/rng.js';
import { LlmfsError } from '../../src/errors.js';

/** HF's _get_ngrams + _get_generated_ngrams, written as that code reads (tuples as strings). */
function hfBanned(ids: number[], n: number): number[] {
  const curLen = ids.length;
  if (curLen + 1 < n) return [];
  const generated = new Map<string, number[]>();
  for (let s = 0; s + n <= curLen; s++) {
    const gram = ids.slice(s, s + n);
    const key = gram.slice(0, -1).join(',');
    generated.set(key, [...(generated.get(key) ?? []), gram[n - 1]]);
  }
  const startIdx = curLen + 1 - n;
  const prev = ids.slice(startIdx, curLen).join(',');
  return generated.get(prev) ?? [];
}

test('banned tokens equal HF semantics on fixed sequences, n = 1..4', () => {
  const rng = new Rng(3);
  const seqs = [
    [],
    [5],
    [1, 2, 3, 1, 2],
    [1, 2, 1, 2, 1, 2],
    [7, 7, 7, 7],
    Array.from({ length: 60 }, () => rng.randint(0, 6)),
    Array.from({ length: 200 }, () => rng.randint(0, 20)),
  ];
  for (const ids of seqs)
    for (const n of [1, 2, 3, 4]) {
      const want = [...new Set(hfBanned(ids, n))].sort((a, b) => a - b);
      const got = [...bannedNgramTokens(ids, n)].sort((a, b) => a - b);
      assert.deepEqual(got, want, `n = ${n}, ids ${ids.slice(-8).join(' ')}`);
      // On logits: banned ids become -Infinity, every other logit is untouched.
      const logits = Float64Array.from({ length: 24 }, (_, i) => Math.sin(i));
      noRepeatNgram(n)(logits, { tokens: ids, generated: [] });
      for (let i = 0; i < 24; i++) assert.equal(logits[i], want.includes(i) ? -Infinity : Math.sin(i));
    }
  assert.deepEqual([...bannedNgramTokens([1, 2, 3, 1, 2], 3)], [3]); // "1 2" was followed by 3
});

/** Does the n-gram ending at position i occur ending at any j < i? */
function repeatsAt(ids: number[], n: number, i: number): boolean {
  const gram = ids.slice(i - n + 1, i + 1).join(',');
  for (let j = n - 1; j < i; j++) if (ids.slice(j - n + 1, j + 1).join(',') === gram) return true;
  return false;
}

test('property: generations with no_repeat_ngram_size n never complete an earlier n-gram', () => {
  manualSeed(11);
  const model = new GPT({ vocabSize: 32, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 }).eval();
  const rng = new Rng(5);
  for (const n of [2, 3]) {
    for (const strategy of ['greedy', 'sample'] as const) {
      for (let trial = 0; trial < 3; trial++) {
        const prompt = Array.from({ length: 6 }, () => rng.randint(0, 32));
        const r = generate(model, prompt, { strategy, maxNewTokens: 40, noRepeatNgramSize: n, seed: trial });
        const all = [...prompt, ...r.ids];
        for (let i = prompt.length; i < all.length; i++)
          if (i >= n - 1) assert.ok(!repeatsAt(all, n, i), `n = ${n}, ${strategy}: repeat at ${i}`);
      }
    }
    // Without it, greedy decoding of this random model does repeat (the check above is not vacuous).
    const prompt = [1, 2, 3, 4, 5, 6];
    const free = [...prompt, ...generate(model, prompt, { maxNewTokens: 40 }).ids];
    assert.ok(free.some((_, i) => i >= prompt.length && repeatsAt(free, n, i)));
  }
});

test('bad sizes are one clear line', () => {
  for (const n of [0.5, -1, Number.NaN])
    assert.throws(
      () => buildProcessors({ noRepeatNgramSize: n }),
      (e: unknown) => e instanceof LlmfsError,
    );
  assert.equal(buildProcessors({ noRepeatNgramSize: 0 }).length, 0); // 0 = off
});
