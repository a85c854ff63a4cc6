// Repetition measures: the loop detector finds the period and start of constructed loops (after a
// prefix, with a partial last cycle, period 1 to 17, characters or ids) and none in text that does
// not repeat; distinct-n and the longest repeated n-gram on cases worked by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLoop, distinctN, longestRepeatedNgram } from '../../src/diagnose/repetition.js';
import { Rng } from '../../src/tensor/rng.js';

test('constructed loops: the smallest period and where the loop starts', () => {
  const rng = new Rng(1);
  for (const p of [1, 2, 3, 5, 8, 17]) {
    const prefix = Array.from({ length: 10 }, (_, i) => 100 + i); // never repeats
    const cycle = Array.from({ length: p }, () => rng.randint(0, 50));
    if (new Set(cycle).size === 1 && p > 1) cycle[0] = 99; // keep p the smallest period
    const k = Math.max(3, Math.ceil(16 / p));
    const extra = Math.floor(p / 2); // a partial last cycle
    const seq = [...prefix, ...Array.from({ length: k * p + extra }, (_, i) => cycle[i % p])];
    const loop = detectLoop(seq)!;
    assert.ok(loop, `period ${p}`);
    assert.equal(loop.period, p);
    assert.equal(loop.start, prefix.length);
    assert.equal(loop.cycles, Math.floor((k * p + extra) / p));
  }
  // Characters: period 12; the loop starts one character early, at the space before the first
  // "the" (the stretch is periodic from there: the cycle read from the start is " the cat and").
  const text = 'In the beginning: the cat and the cat and the cat and the cat and';
  const loop = detectLoop([...text])!;
  assert.equal(loop.period, 12);
  assert.equal(text.slice(loop.start, loop.start + loop.period), ' the cat and');
});

test('no loop in text that does not repeat, nor in a single repeat shorter than minTokens', () => {
  assert.equal(detectLoop(Array.from({ length: 200 }, (_, i) => i)), null);
  assert.equal(detectLoop([...'Four score and seven years ago our fathers brought forth']), null);
  assert.equal(detectLoop([1, 2, 3, 1, 2, 3]), null); // 6 tokens < 8
  assert.equal(detectLoop([1, 2, 3, 4, 5, 1, 2, 3, 4, 9]), null); // a repeat, not at the end
  assert.equal(detectLoop([]), null);
});

test('distinct-n and the longest repeated n-gram, worked by hand', () => {
  const seq = [1, 2, 3, 1, 2, 3, 4];
  assert.equal(distinctN(seq, 1), 4 / 7);
  assert.equal(distinctN(seq, 2), 4 / 6); // 12 23 31 12 23 34: {12, 23, 31, 34}
  assert.equal(distinctN(seq, 3), 4 / 5);
  assert.equal(distinctN([1], 3), 1);
  assert.deepEqual(longestRepeatedNgram(seq), { length: 3, first: 0, second: 3 });
  assert.deepEqual(longestRepeatedNgram([1, 1, 1, 1]), { length: 3, first: 0, second: 1 }); // overlaps
  assert.deepEqual(longestRepeatedNgram([1, 2, 3]), { length: 0, first: -1, second: -1 });
});
