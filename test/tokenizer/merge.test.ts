import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeHeap, mergeScan } from '../../src/tokenizer/merge.js';
import { MergeList, type Merge } from '../../src/tokenizer/rules.js';
import { Heap } from '../../src/tokenizer/heap.js';
import { gpt2 } from '../../src/tokenizer/gpt2.js';
import { utf8Encode } from '../../src/tokenizer/bytes.js';
import { randInt, randomText, rng } from './random.js';

test('heap: pops in order, ties broken by the comparator', () => {
  const r = rng(1);
  const h = new Heap<number>((a, b) => a < b);
  const xs = Array.from({ length: 500 }, () => randInt(r, 0, 50));
  xs.forEach((x) => h.push(x));
  const out: number[] = [];
  for (let x = h.pop(); x !== undefined; x = h.pop()) out.push(x);
  assert.deepEqual(
    out,
    [...xs].sort((a, b) => a - b),
  );
});

test('merge: a hand-made merge table applies lowest rank first, leftmost on a tie', () => {
  // ids: a=0 b=1 c=2; merges: (a b)->ab=3, (b c)->bc=4, (ab c)->abc=5, (a a)->aa=6
  const merges: Merge[] = [
    [0, 1, 3],
    [1, 2, 4],
    [3, 2, 5],
    [0, 0, 6],
  ];
  const rules = new MergeList(merges);
  assert.deepEqual(mergeScan([0, 1, 2], rules), [5]); // ab first, then ab+c
  assert.deepEqual(mergeScan([1, 2, 0, 1], rules), [4, 3]);
  assert.deepEqual(mergeScan([0, 0, 0], rules), [6, 0]); // aa from the left
  assert.deepEqual(mergeHeap([0, 0, 0], rules), [6, 0]);
  assert.deepEqual(mergeScan([], rules), []);
  assert.deepEqual(mergeHeap([2], rules), [2]);
});

test('merge: the heap version equals the scan version on random chunks under GPT-2 ranks', async () => {
  const tok = await gpt2();
  const rules = tok.rules;
  const byte = (b: number) => tok.tokenId(new Uint8Array([b]))!;
  const r = rng(5);
  for (let i = 0; i < 300; i++) {
    const text =
      i % 3 === 0 ? 'ab'.repeat(randInt(r, 0, 40)) + ' '.repeat(randInt(r, 0, 40)) : randomText(r, 80);
    const ids = Array.from(utf8Encode(text), byte);
    assert.deepEqual(mergeHeap(ids, rules), mergeScan(ids, rules), JSON.stringify(text));
  }
});
