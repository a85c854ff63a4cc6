// The messages between the Tokenizer lab (tokenizer.ts) and its own worker (tokenizer-worker.ts),
// which learns BPE merges off the main thread (seconds for a few hundred merges on 60k characters)
// and tokenizes the sentence with the first k of them.

import type { Setup } from '../setup.js';

/** Where the text to learn from comes from: the Train panel's corpus, or text typed in the panel. */
export type TextSource = { setup: Setup; sotu: string } | { text: string };

export type ToTokenizerWorker =
  | { kind: 'learn'; id: number; source: TextSource; merges: number }
  /** Tokenize `sentence` with the first k merges of the last learned list. */
  | { kind: 'encode'; id: number; sentence: string; k: number };

/** One learned merge: tokens `left` and `right` become `result`; the pair occurred `count` times. */
export interface LearnedMerge {
  left: number;
  right: number;
  result: number;
  count: number;
}

export type FromTokenizerWorker =
  | { kind: 'progress'; id: number; done: number; total: number }
  | {
      kind: 'learned';
      id: number;
      merges: LearnedMerge[];
      /** pieces[id]: token id's bytes, readable (invalid UTF-8 as <0xNN>); 256 bytes then merges. */
      pieces: string[];
      chars: number;
      /** Distinct pre-token chunks: merges never cross a chunk's edge. */
      chunks: number;
      ms: number;
    }
  | {
      kind: 'encoded';
      id: number;
      k: number;
      ids: number[];
      /** The sentence's token count with one merge fewer (k - 1), when k > 0. */
      before: number | null;
      /** The whole training text's token count with the first k merges. */
      textTokens: number;
      textChars: number;
    }
  | { kind: 'error'; id: number; message: string };

/** What the panel shows, on window.lab.tokenizer (read by test/lab/tokenizer.test.ts). */
export interface TokenizerLabState {
  /** Merges learned (0 until the first list arrives). */
  learned: number;
  /** The step the chips show: the sentence tokenized with the first k merges. */
  k: number;
  sentence: string;
  /** The sentence's token ids and their readable pieces, as the chips show them. */
  ids: number[];
  pieces: string[];
  learning: boolean;
}
