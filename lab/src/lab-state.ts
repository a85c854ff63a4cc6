// What the lab page has seen of its run, kept on `window.lab`: the page fills it, and the
// end-to-end tests (test/lab/lab.test.ts) and the screenshot script read it.

import type { NextTokenView } from './worker/next-token.js';

/** What the page has seen, also read by the end-to-end tests (test/lab/lab.test.ts). */
export interface LabState {
  backend: string;
  threads: number;
  isolated: boolean;
  /** Every step's training loss, in order: losses[i] is step i + 1's. */
  losses: number[];
  evals: { step: number; trainLoss: number; valLoss: number }[];
  samples: string[];
  running: boolean;
  done: boolean;
  errors: string[];
  /** The chart's reference lines: ln V and the validation tokens' unigram entropy. */
  floors: { uniform: number; unigram: number } | null;
  /** The Tokenizer lab (panels/tokenizer.ts): merges learned, the step shown, the sentence's tokens. */
  tokenizer: import('./panels/tokenizer-protocol.js').TokenizerLabState;
  /** The Models panel: the name of the checkpoint the run's model was loaded from (null: a fresh one). */
  models: { loaded: string | null };
  /** The Next-token panel's distribution as last drawn (worker/next-token.ts), null before one. */
  nextToken: (NextTokenView & { prompt: string }) | null;
  /** The Look inside panel's last reading (panels/inside.ts), null until the first. */
  inside: import('./worker/inside.js').InsideView | null;
}

declare global {
  interface Window {
    lab: LabState;
  }
}
