// The Tokenizer lab's worker: learns BPE merges on a text with the library's readable trainer
// (src/tokenizer/train-readable.ts, via corpus.ts learnMerges: the same call a BPE training run
// makes) and tokenizes a sentence with the library's encoder built from the first k merges.

/// <reference lib="webworker" />

import { bpeFromMerges, showBytes, type BpeTokenizer, type Merge } from '../../../src/index.js';
import { bpeChunks, learnMerges } from '../corpus.js';
import { corpusText } from '../session.js';
import type { FromTokenizerWorker, LearnedMerge, ToTokenizerWorker } from './tokenizer-protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromTokenizerWorker): void => scope.postMessage(m);

let text = '';
let merges: Merge[] = [];
/** The tokenizer of the first k merges, for the last k asked (stepping reuses it). */
let cached: { k: number; tok: BpeTokenizer } | null = null;

function learn(id: number, source: ToTokenizerWorker & { kind: 'learn' }): void {
  const t0 = performance.now();
  text = 'text' in source.source ? source.source.text : corpusText(source.source.setup, source.source.sotu);
  const counts: LearnedMerge[] = [];
  const every = Math.max(1, Math.floor(source.merges / 50));
  merges = learnMerges(text, source.merges, (m) => {
    counts.push({ left: m.left, right: m.right, result: m.result, count: m.count });
    if (counts.length % every === 0)
      post({ kind: 'progress', id, done: counts.length, total: source.merges });
  });
  cached = null;
  const all = bpeFromMerges(merges);
  const pieces = all.vocab.map((bytes) => showBytes(bytes!));
  const ms = performance.now() - t0;
  const chunks = bpeChunks(text).chunks.length;
  post({ kind: 'learned', id, merges: counts, pieces, chars: [...text].length, chunks, ms });
}

function encode(id: number, sentence: string, k: number): void {
  if (!Number.isInteger(k) || k < 0 || k > merges.length)
    throw new Error(`tokenizer lab: step ${k} is outside 0..${merges.length}`);
  if (cached?.k !== k) cached = { k, tok: bpeFromMerges(merges.slice(0, k)) };
  const ids = cached.tok.encode(sentence);
  const before = k > 0 ? bpeFromMerges(merges.slice(0, k - 1)).encode(sentence).length : null;
  const textTokens = cached.tok.encode(text).length;
  post({ kind: 'encoded', id, k, ids, before, textTokens, textChars: [...text].length });
}

scope.addEventListener('message', (e: MessageEvent<ToTokenizerWorker>) => {
  const m = e.data;
  try {
    if (m.kind === 'learn') learn(m.id, m);
    else encode(m.id, m.sentence, m.k);
  } catch (err) {
    post({ kind: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});
