// Training byte-level BPE (Sennrich et al. 2016, section 3.2; byte-level as in GPT-2, Radford
// et al. 2019): count adjacent token pairs, merge the most frequent into a new token, repeat.
// Fast because (1) equal chunks are counted once with a weight, and (2) after a merge only the
// pairs around its occurrences change, so counts are updated in place, never recounted.

import { LlmfsError } from '../errors.js';
import { bytesKey, concatBytes, utf8Encode } from './bytes.js';
import { BpeTokenizer } from './bpe.js';
import { Heap } from './heap.js';
import { MAX_VOCAB, MergeList, pairKey, type Merge } from './rules.js';
import { Splitter, splitSpecials, type Pretokenizer } from './pretokenize.js';
import { exercisable } from '../exercises/registry.js';

export interface TrainProgress {
  phase: 'count' | 'merge';
  done: number;
  total: number;
}

export interface TrainOptions {
  /** Tokens wanted in all: 256 bytes + merges + special tokens. */
  vocabSize: number;
  /** How text is cut before counting; GPT-2's regex by default. */
  pretokenizer?: Pretokenizer;
  /** Special tokens get the last ids, in this order; their text in the corpus is never merged. */
  specialTokens?: readonly string[];
  /** Stop early when the best pair occurs fewer times than this (default 1: never stop early). */
  minFrequency?: number;
  onProgress?: (p: TrainProgress) => void;
  /** Called after each merge with its pair, the token made and how often the pair occurred. */
  onMerge?: (m: { rank: number; left: number; right: number; result: number; count: number }) => void;
}

/** Counts each distinct chunk of the corpus once; this is the "de-duplication" step. */
export function countChunks(
  texts: readonly string[],
  splitter: Splitter,
  specials: readonly string[],
): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (chunk: string): void => {
    counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
  };
  for (const text of texts) {
    for (const seg of splitSpecials(text, specials)) if (!seg.special) splitter.forEach(seg.text, add);
  }
  return counts;
}

/** Progress and per-merge callbacks of the merge loop (trainBpe passes its options'). */
export interface MergeLoopHooks {
  onProgress?: (p: TrainProgress) => void;
  onMerge?: TrainOptions['onMerge'];
}

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'bpe-train' (chapter 2): the BPE merge loop. `chunks` are the distinct pre-token
     * chunks as byte values, `weights` how often each occurs. Until the vocabulary (256 bytes +
     * merged tokens) has `numTokens` tokens: count the adjacent pairs (weighted), merge the most
     * frequent (ties: smaller left id, then smaller right id) into a token whose id is the next
     * free one (or the existing token with the same bytes), everywhere, left to right. Stops early
     * when no pair is left or the best occurs fewer than `minFrequency` times. Returns the
     * merges [left, right, result] in order. `hooks` may be ignored.
     */
    bpeTrain(
      chunks: number[][],
      weights: number[],
      numTokens: number,
      minFrequency: number,
      hooks?: MergeLoopHooks,
    ): Merge[];
  }
}

interface Candidate {
  count: number;
  left: number;
  right: number;
}

// Most frequent first; ties go to the smaller left id, then the smaller right id. Ids grow with
// age (bytes 0..255 first), so ties are broken by older tokens, the same on every run.
const better = (a: Candidate, b: Candidate): boolean =>
  a.count > b.count || (a.count === b.count && (a.left < b.left || (a.left === b.left && a.right < b.right)));

/**
 * The merge loop (exercise 'bpe-train' replaces it): each distinct chunk's bytes with its weight
 * in, the ordered merges out. The readable version is trainMergesReadable (train-readable.ts).
 */
const bpeTrain = exercisable(
  'bpeTrain',
  (
    encoded: number[][],
    weights: number[],
    numTokens: number,
    minFrequency: number,
    hooks: MergeLoopHooks = {},
  ): Merge[] => {
    const progress = hooks.onProgress ?? (() => {});
    // Every distinct chunk's bytes laid end to end as one array of symbols. Each chunk is a doubly
    // linked list (next/prev, -1 at its ends), so a merge unlinks a node in O(1).
    let total = 0;
    for (const bytes of encoded) total += bytes.length;
    const sym = new Int32Array(total); // token id at each node; -1 once merged into its left node
    const next = new Int32Array(total);
    const prev = new Int32Array(total);
    const weight = new Float64Array(total); // how often this node's chunk occurs in the corpus
    let at = 0;
    encoded.forEach((bytes, w) => {
      for (let i = 0; i < bytes.length; i++) {
        sym[at + i] = bytes[i];
        prev[at + i] = i > 0 ? at + i - 1 : -1;
        next[at + i] = i + 1 < bytes.length ? at + i + 1 : -1;
        weight[at + i] = weights[w];
      }
      at += bytes.length;
    });

    // counts: pair -> weighted occurrences. where: pair -> left nodes where it was seen (may be stale).
    const counts = new Map<number, number>();
    const where = new Map<number, number[]>();
    const add = (left: number, right: number, node: number, w: number): void => {
      const key = pairKey(left, right);
      counts.set(key, (counts.get(key) ?? 0) + w);
      const list = where.get(key);
      if (list) list.push(node);
      else where.set(key, [node]);
    };
    const remove = (left: number, right: number, w: number): void => {
      const key = pairKey(left, right);
      const c = counts.get(key)! - w;
      if (c > 0) counts.set(key, c);
      else {
        counts.delete(key);
        where.delete(key);
      }
    };
    for (let i = 0; i < total; i++) if (next[i] >= 0) add(sym[i], sym[next[i]], i, weight[i]);

    const heap = new Heap<Candidate>(better);
    for (const [key, count] of counts)
      heap.push({ count, left: Math.floor(key / MAX_VOCAB), right: key % MAX_VOCAB });

    const vocab: Uint8Array[] = [];
    const byKey = new Map<string, number>();
    for (let b = 0; b < 256; b++) {
      vocab.push(new Uint8Array([b]));
      byKey.set(String.fromCharCode(b), b);
    }
    const merges: Merge[] = [];
    const wanted = numTokens - 256;
    let lastReport = 0;

    while (vocab.length < numTokens) {
      const top = heap.pop();
      if (!top) break; // no pair left: every chunk is a single token
      const key = pairKey(top.left, top.right);
      const current = counts.get(key) ?? 0;
      if (current !== top.count) {
        // Stale entry (the count changed since it was pushed): put back the true count.
        if (current > 0) heap.push({ count: current, left: top.left, right: top.right });
        continue;
      }
      if (current < minFrequency) break;

      const { left: a, right: b } = top;
      const bytes = concatBytes([vocab[a], vocab[b]]);
      let c = byKey.get(bytesKey(bytes));
      if (c === undefined) {
        c = vocab.length;
        vocab.push(bytes);
        byKey.set(bytesKey(bytes), c);
      }
      merges.push([a, b, c]);
      hooks.onMerge?.({ rank: merges.length - 1, left: a, right: b, result: c, count: current });

      // Merge every occurrence, left to right within a chunk, and patch the neighbouring pairs:
      // (p a)(a b)(b n) becomes (p c)(c n).
      const nodes = Int32Array.from(where.get(key)!).sort();
      const grown = new Set<number>();
      for (const node of nodes) {
        const r = next[node];
        if (sym[node] !== a || r < 0 || sym[r] !== b) continue; // stale: already merged away
        const w = weight[node];
        const p = prev[node];
        const n = next[r];
        if (p >= 0) {
          remove(sym[p], a, w);
          add(sym[p], c, p, w);
          grown.add(pairKey(sym[p], c));
        }
        if (n >= 0) {
          remove(b, sym[n], w);
          add(c, sym[n], node, w);
          grown.add(pairKey(c, sym[n]));
        }
        remove(a, b, w);
        sym[node] = c;
        sym[r] = -1;
        next[node] = n;
        if (n >= 0) prev[n] = node;
      }
      // Counts only ever rise for pairs that contain the new token; push their new counts. Counts
      // that fell are corrected lazily when their stale entry reaches the top.
      for (const k of grown) {
        const count = counts.get(k);
        if (count !== undefined) heap.push({ count, left: Math.floor(k / MAX_VOCAB), right: k % MAX_VOCAB });
      }
      if (merges.length - lastReport >= Math.max(1, Math.floor(wanted / 100))) {
        lastReport = merges.length;
        progress({ phase: 'merge', done: vocab.length - 256, total: wanted });
      }
    }
    progress({ phase: 'merge', done: vocab.length - 256, total: wanted });
    return merges;
  },
);

export function trainBpe(corpus: string | readonly string[], options: TrainOptions): BpeTokenizer {
  const specials = [...(options.specialTokens ?? [])];
  const minFrequency = options.minFrequency ?? 1;
  const target = options.vocabSize - specials.length;
  if (!Number.isInteger(options.vocabSize) || target < 256 || options.vocabSize >= MAX_VOCAB) {
    throw new LlmfsError(
      `train: vocabulary size must be an integer from ${256 + specials.length} (256 bytes + ` +
        `${specials.length} special tokens) to ${MAX_VOCAB - 1}, got ${options.vocabSize}`,
    );
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw new LlmfsError(`train: the minimum pair frequency must be an integer >= 1, got ${minFrequency}`);
  }
  if (new Set(specials).size !== specials.length || specials.some((s) => s.length === 0)) {
    throw new LlmfsError('train: special tokens must be distinct and non-empty');
  }
  const pretokenizer = options.pretokenizer ?? { type: 'gpt2' };
  const progress = options.onProgress ?? (() => {});
  const texts = typeof corpus === 'string' ? [corpus] : corpus;

  progress({ phase: 'count', done: 0, total: 1 });
  const chunks = countChunks(texts, new Splitter(pretokenizer), specials);
  progress({ phase: 'count', done: 1, total: 1 });

  const encoded: number[][] = [];
  const weights: number[] = [];
  for (const [chunk, count] of chunks) {
    encoded.push(Array.from(utf8Encode(chunk)));
    weights.push(count);
  }
  const merges = bpeTrain(encoded, weights, target, minFrequency, {
    onProgress: progress,
    onMerge: options.onMerge,
  });
  return bpeFromMerges(merges, { pretokenizer, specialTokens: specials });
}

/**
 * The tokenizer an ordered merge list spells (as a trainer returns it): the 256 byte tokens, then
 * each merge's result, a new token when its id is the next free one (else the token with those
 * bytes already), then the special tokens. A prefix of a trained list gives the tokenizer of the
 * first k merges. Throws when a result id skips ahead or names a token with other bytes.
 */
export function bpeFromMerges(
  merges: readonly Merge[],
  options: { pretokenizer?: Pretokenizer; specialTokens?: readonly string[] } = {},
): BpeTokenizer {
  const vocab: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) vocab.push(new Uint8Array([b]));
  merges.forEach(([a, b, c], i) => {
    if (a >= vocab.length || b >= vocab.length || c > vocab.length) {
      throw new LlmfsError(
        `merge ${i} (${a}, ${b}) -> ${c}: the ids must name tokens made before it (${vocab.length} so far)`,
      );
    }
    const bytes = concatBytes([vocab[a], vocab[b]]);
    if (c === vocab.length) vocab.push(bytes);
    else if (bytesKey(vocab[c]) !== bytesKey(bytes))
      throw new LlmfsError(`merge ${i} (${a}, ${b}) -> ${c}: token ${c} has other bytes than ${a} and ${b}`);
  });
  const specialTokens: Record<string, number> = {};
  (options.specialTokens ?? []).forEach((s, i) => (specialTokens[s] = vocab.length + i));
  return new BpeTokenizer({
    vocab,
    rules: new MergeList(merges),
    merges,
    specialTokens,
    pretokenizer: options.pretokenizer ?? { type: 'gpt2' },
  });
}
