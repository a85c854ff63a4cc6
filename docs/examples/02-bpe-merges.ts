// Chapter 2, example 2: train byte-level BPE on a tiny text and watch the merge table grow
// (Sennrich et al. 2016's toy corpus: low, lower, newest, widest).   npx tsx docs/examples/02-bpe-merges.ts

import { trainBpe, BpeTokenizer, MergeList } from '../../src/tokenizer/index.js';

const text = [
  ...Array(5).fill('low'),
  ...Array(2).fill('lower'),
  ...Array(6).fill('newest'),
  ...Array(3).fill('widest'),
].join(' ');
console.log(`corpus: ${text.length} characters, ${text.length} bytes (all ASCII)\n`);

// 256 byte tokens + 12 merges. onMerge reports each merge as it is learned.
const counts: number[] = [];
const tok = trainBpe(text, { vocabSize: 256 + 12, onMerge: (m) => counts.push(m.count) });
const show = (id: number) => JSON.stringify(tok.piece(id));

console.log('rank  left       right      -> id   token       count');
tok.merges!.forEach(([left, right, result], rank) => {
  console.log(
    `${String(rank).padStart(4)}  ${show(left).padEnd(10)} ${show(right).padEnd(10)} -> ${String(result).padEnd(4)} ${show(result).padEnd(11)} ${String(counts[rank]).padStart(5)}`,
  );
});

// The same word under the first k merges: BPE applies them in rank order.
console.log('\n" lowest" after the first k merges:');
for (const k of [0, 1, 2, 4, 8, 12]) {
  const merges = tok.merges!.slice(0, k);
  const partial = new BpeTokenizer({ vocab: tok.vocab, rules: new MergeList(merges), merges });
  const ids = partial.encode(' lowest');
  console.log(`  k=${String(k).padStart(2)}: ${JSON.stringify(ids.map((id) => partial.piece(id)))}`);
}
const all = tok.encode(text);
console.log(`\nthe whole corpus: ${text.length} bytes -> ${all.length} tokens`);
