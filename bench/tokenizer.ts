// Tokenizer benchmarks: byte-level BPE training time (4,096 tokens from 10 MB of the default
// corpus, measured once), and GPT-2 encode throughput in tokens/s, ours beside js-tiktoken's on
// the same text in the same run. Also the merge loop's two versions on long chunks.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { getEncoding } from 'js-tiktoken';
import gpt2Data from 'js-tiktoken/ranks/gpt2';
import { defaultCorpus } from '../src/data/index.js';
import { trainBpe } from '../src/tokenizer/train.js';
import { fromTiktoken, type TiktokenData } from '../src/tokenizer/tiktoken.js';
import { mergeHeap, mergeScan } from '../src/tokenizer/merge.js';
import { utf8Encode } from '../src/tokenizer/bytes.js';

const TEN_MB = 10_000_000;

/** Exactly `bytes` bytes of UTF-8 text from the default corpus, repeated if it is shorter. */
function corpusBytes(bytes: number): string {
  const base = defaultCorpus();
  let text = base;
  while (utf8Encode(text).length < bytes) text += '\n\n' + base;
  // The corpus is nearly all ASCII; trim characters until the byte count fits.
  text = text.slice(0, bytes);
  while (utf8Encode(text).length > bytes) text = text.slice(0, -1);
  return text;
}

export const tokenizerSuite: Suite = {
  name: 'tokenizer',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const suite = 'tokenizer';

    // Training, once: 10 MB -> 4,096 tokens (256 bytes + 3,839 merges + <|endoftext|>).
    const text = corpusBytes(TEN_MB);
    let counted = 0;
    const t0 = performance.now();
    const trained = trainBpe(text, {
      vocabSize: 4096,
      specialTokens: ['<|endoftext|>'],
      onProgress: (p) => {
        if (p.phase === 'count' && p.done === 1) counted = performance.now();
      },
    });
    const t1 = performance.now();
    rows.push({
      suite,
      name: 'BPE train 4096 vocab on 10 MB (GPT-2 regex), total',
      value: (t1 - t0) / 1000,
      unit: 's',
      note: 'measured once; target < 60 s',
    });
    rows.push({
      suite,
      name: '  of which pre-tokenize + count chunks',
      value: (counted - t0) / 1000,
      unit: 's',
    });
    rows.push({
      suite,
      name: '  of which 3839 merges (incremental counts)',
      value: (t1 - counted) / 1000,
      unit: 's',
    });

    // Encoding throughput on 1 MB of the corpus, GPT-2 vocabulary, ours vs js-tiktoken.
    const sample = text.slice(2_000_000, 3_000_000);
    const ref = getEncoding('gpt2');
    const ours = fromTiktoken(gpt2Data as TiktokenData);
    const c0 = performance.now();
    const n = ours.encode(sample).length;
    const coldMs = performance.now() - c0;
    const warmMs = timeMs(() => ours.encode(sample), { warmup: 1, repeats: 3, minMs: 0 });
    const refMs = timeMs(() => ref.encode(sample), { warmup: 1, repeats: 3, minMs: 0 });
    const refN = ref.encode(sample).length;
    if (refN !== n) throw new Error(`bench: token counts differ: ours ${n}, js-tiktoken ${refN}`);
    rows.push({
      suite,
      name: 'gpt2 encode 1 MB, ours (first call, empty chunk cache)',
      value: n / (coldMs / 1000),
      unit: 'tokens/s',
    });
    rows.push({
      suite,
      name: 'gpt2 encode 1 MB, ours (warm chunk cache)',
      value: n / (warmMs / 1000),
      unit: 'tokens/s',
    });
    rows.push({
      suite,
      name: 'gpt2 encode 1 MB, js-tiktoken',
      value: refN / (refMs / 1000),
      unit: 'tokens/s',
      note: `same ${n} tokens`,
    });
    const tMs = timeMs(() => trained.encode(sample), { warmup: 1, repeats: 3, minMs: 0 });
    rows.push({
      suite,
      name: 'trained 4096 encode 1 MB, ours (warm)',
      value: trained.encode(sample).length / (tMs / 1000),
      unit: 'tokens/s',
    });

    // The merge loop alone, on one chunk of n bytes: scan is O(n^2), heap O(n log n).
    const rules = ours.rules;
    const byte = (b: number) => ours.tokenId(new Uint8Array([b]))!;
    for (const len of [16, 64, 256, 4096]) {
      const ids = Array.from(utf8Encode(sample.slice(0, len)), byte).slice(0, len);
      const scan = timeMs(() => mergeScan(ids, rules), { warmup: 2, repeats: 5, minMs: 50 });
      const heap = timeMs(() => mergeHeap(ids, rules), { warmup: 2, repeats: 5, minMs: 50 });
      rows.push({
        suite,
        name: `merge one ${len}-byte chunk: scan / heap`,
        value: scan / heap,
        unit: 'x',
        note: `scan ${(scan * 1000).toFixed(1)} us, heap ${(heap * 1000).toFixed(1)} us`,
      });
    }
    return rows;
  },
};
