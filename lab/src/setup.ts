// The whole setup of the Train panel as one typed object, read from and written to the page's
// query string, so a link reproduces a run (TensorFlow Playground keeps its state the same way).
// Unknown or out-of-range values fall back to the defaults rather than break the page.

/** The corpora the Train panel offers; 'custom' is text pasted into the page. */
export const CORPORA = ['sotu', 'reversal', 'addition', 'custom'] as const;
export type CorpusName = (typeof CORPORA)[number];

/** The model sizes offered: the library's named presets (src/model/presets.ts). */
export const SIZES = ['tiny', 'cpu-small'] as const;
export type SizeName = (typeof SIZES)[number];

/** The tokenizers offered: one token per character, or byte-level BPE trained on the corpus. */
export const TOKENIZERS = ['char', 'bpe'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];

/** The most BPE merges a setup may ask for (the readable trainer takes seconds for a thousand). */
export const MAX_MERGES = 1000;

export interface Setup {
  /** Which text to train on. */
  corpus: CorpusName;
  /** Pasted text, for corpus 'custom'. */
  text: string;
  /** The model preset (its vocabulary size is the tokenizer's). */
  size: SizeName;
  /** How the text becomes tokens: characters, or BPE learned on the corpus (corpus.ts: prepare). */
  tokenizer: TokenizerName;
  /** BPE only: tokens to learn beyond the 256 bytes (the vocabulary is 256 + merges). */
  merges: number;
  /** Peak learning rate (AdamW, cosine schedule with warm-up). */
  lr: number;
  /** Optimizer steps in the run. */
  steps: number;
  /** Sequences per batch (B). */
  batch: number;
  /** Seeds the model's initial weights, the batch sampler and a toy task's text. */
  seed: number;
  /** Measure train and validation loss every this many steps. */
  evalEvery: number;
  /** Show a sample of generated text every this many steps (0: never). */
  sampleEvery: number;
}

export const DEFAULT_SETUP: Setup = {
  corpus: 'reversal',
  text: '',
  size: 'tiny',
  tokenizer: 'char',
  merges: 256,
  lr: 3e-3,
  steps: 1000,
  batch: 16,
  seed: 1337,
  evalEvery: 50,
  sampleEvery: 100,
};

/** A shorter pasted text is repeated up to this many characters (session.ts: corpusText). */
export const MIN_CUSTOM = 4000;

/** Pasted text longer than this stays out of the link (a URL of megabytes breaks browsers). */
export const MAX_TEXT_IN_URL = 4000;

function num(
  q: URLSearchParams,
  key: string,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  const raw = q.get(key);
  if (raw === null) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) return undefined;
  return v;
}

function oneOf<T extends string>(q: URLSearchParams, key: string, options: readonly T[]): T | undefined {
  const raw = q.get(key);
  return options.find((o) => o === raw);
}

/** The setup a query string (`?corpus=reversal&lr=0.003...`) describes; missing keys take defaults. */
export function parseSetup(search: string): Setup {
  const q = new URLSearchParams(search);
  const d = DEFAULT_SETUP;
  return {
    corpus: oneOf(q, 'corpus', CORPORA) ?? d.corpus,
    text: q.get('text') ?? d.text,
    size: oneOf(q, 'size', SIZES) ?? d.size,
    tokenizer: oneOf(q, 'tokenizer', TOKENIZERS) ?? d.tokenizer,
    merges: num(q, 'merges', 1, MAX_MERGES, true) ?? d.merges,
    lr: num(q, 'lr', 1e-6, 1, false) ?? d.lr,
    steps: num(q, 'steps', 1, 1_000_000, true) ?? d.steps,
    batch: num(q, 'batch', 1, 512, true) ?? d.batch,
    seed: num(q, 'seed', 0, 2 ** 31 - 1, true) ?? d.seed,
    evalEvery: num(q, 'evalEvery', 1, 1_000_000, true) ?? d.evalEvery,
    sampleEvery: num(q, 'sampleEvery', 0, 1_000_000, true) ?? d.sampleEvery,
  };
}

/** The query string of a setup (keys equal to the default are left out, so links stay short). */
export function formatSetup(s: Setup): string {
  const q = new URLSearchParams();
  const d = DEFAULT_SETUP;
  for (const key of Object.keys(d) as (keyof Setup)[]) {
    if (key === 'text') continue;
    if (s[key] !== d[key]) q.set(key, String(s[key]));
  }
  if (s.corpus === 'custom' && s.text.length > 0 && s.text.length <= MAX_TEXT_IN_URL) q.set('text', s.text);
  const str = q.toString();
  return str ? `?${str}` : '';
}
