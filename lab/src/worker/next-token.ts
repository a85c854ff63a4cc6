// The worker side of the lab's 'next-token' panel (panels/next-token.ts): the model's next-token
// distribution for a prompt, reshaped by the library's own processors (src/generate/: temperature,
// top-k, top-p, min-p, in buildProcessors' order), so the bars are exactly what generate() samples
// from; and one token chosen from it, greedily or by a seeded draw, as generate() would choose it.

import {
  buildProcessors,
  chooseToken,
  gptLm,
  Rng,
  softmaxRow,
  Stepper,
  topIds,
  type LogitsProcessor,
  type SamplingOptions,
} from '../../../src/index.js';
import type { Session } from '../session.js';
import type { Method } from './methods.js';

/** The panel's settings, as the page sends them (checked here: they come from the URL). */
export interface NextTokenArgs {
  prompt: string;
  /** 1 = the model's own distribution. */
  temperature: number;
  /** 0 = off. */
  topK: number;
  /** 1 = off. */
  topP: number;
  /** 0 = off. */
  minP: number;
}

/** The filters a token can be removed by, in the order they run. */
export type FilterName = 'top-k' | 'top-p' | 'min-p';

export interface NextTokenView {
  /** The training step the model was at. */
  step: number;
  /** Prompt tokens fed to the model, and how many earlier ones fell outside its context window. */
  promptTokens: number;
  cropped: number;
  /** The shown tokens: the most likely under the model, most likely first. */
  ids: number[];
  /** Each one's readable text (tokenizer.piece). */
  pieces: string[];
  /** p under the model itself: softmax of the raw logits (temperature 1, no filter). */
  raw: number[];
  /** p after temperature and the filters: what sampling draws from (0 for a removed token). */
  probs: number[];
  /** The filter that removed each token, or null if it is kept. */
  removedBy: (FilterName | null)[];
  /** Tokens of the whole vocabulary left with p > 0. */
  kept: number;
  vocabSize: number;
}

/** How many bars the panel draws. */
export const SHOWN = 20;

function num(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi))
    throw new Error(`${name} must be a number in [${lo}, ${hi}]`);
  return v;
}

function readArgs(args: unknown): NextTokenArgs {
  if (typeof args !== 'object' || args === null) throw new Error('next token: expected settings');
  const a = args as Record<string, unknown>;
  if (typeof a.prompt !== 'string') throw new Error('next token: the prompt must be text');
  const topK = num(a.topK, 'top-k', 0, 1e9);
  if (!Number.isInteger(topK)) throw new Error('top-k must be a whole number');
  return {
    prompt: a.prompt,
    temperature: num(a.temperature, 'temperature', 0.01, 100),
    topK,
    topP: num(a.topP, 'top-p', 0, 1),
    minP: num(a.minP, 'min-p', 0, 1),
  };
}

/** The settings as the library's SamplingOptions ('off' values left out, as the CLI does). */
export function samplingOptions(a: NextTokenArgs): SamplingOptions {
  return {
    temperature: a.temperature,
    ...(a.topK > 0 ? { topK: a.topK } : {}),
    ...(a.topP < 1 ? { topP: a.topP } : {}),
    ...(a.minP > 0 ? { minP: a.minP } : {}),
  };
}

function needSession(session: Session | null): Session {
  if (!session) throw new Error('no model yet: reset the Train panel first');
  return session;
}

/** The raw next-token logits after the prompt (its last context-window's worth of tokens). */
function nextLogits(session: Session, prompt: string): { logits: Float32Array; ids: number[] } {
  const ids = session.text.tokenizer.encode(prompt);
  if (ids.length === 0) throw new Error('type a prompt: the model needs at least one token to go on');
  const model = session.gpt;
  const training = model.training;
  model.eval(); // no dropout: the distribution generate() sees
  try {
    // generate()'s own engine, uncached, keeping the last blockSize tokens (nanoGPT's idx[:, -T:]).
    const stepper = new Stepper(gptLm(model), { useCache: false, overflow: 'slide' });
    return { logits: stepper.start([ids])[0], ids };
  } finally {
    model.train(training);
  }
}

/** The processed logits (the list generate() builds), and which filter removed each token. */
function processed(
  logits: Float32Array,
  a: NextTokenArgs,
  ids: number[],
): { z: Float64Array; removedBy: (FilterName | null)[] } {
  const o = samplingOptions(a);
  const ctx = { tokens: ids, generated: [] };
  const z = Float64Array.from(logits);
  const removedBy: (FilterName | null)[] = new Array<FilterName | null>(z.length).fill(null);
  // buildProcessors' order: temperature, top-k, top-p, min-p; one at a time to see who removed what.
  const steps: [FilterName | null, LogitsProcessor[]][] = [
    [null, buildProcessors({ temperature: o.temperature })],
    ['top-k', buildProcessors({ topK: o.topK })],
    ['top-p', buildProcessors({ topP: o.topP })],
    ['min-p', buildProcessors({ minP: o.minP })],
  ];
  for (const [name, list] of steps) {
    for (const p of list) p(z, ctx);
    if (name) for (let i = 0; i < z.length; i++) if (z[i] === -Infinity && !removedBy[i]) removedBy[i] = name;
  }
  return { z, removedBy };
}

export const nextTokenMethods: Record<string, Method> = {
  /** The distribution of the next token after args.prompt, under the panel's settings. */
  'nextToken.view': ({ session }, args): NextTokenView => {
    const s = needSession(session);
    const a = readArgs(args);
    const { logits, ids } = nextLogits(s, a.prompt);
    const { z, removedBy } = processed(logits, a, ids);
    const raw = softmaxRow(logits);
    const probs = softmaxRow(z);
    const shown = topIds(logits, SHOWN);
    const T = s.gpt.config.blockSize;
    return {
      step: s.stepsTaken,
      promptTokens: Math.min(ids.length, T),
      cropped: Math.max(0, ids.length - T),
      ids: shown,
      // A model may have more ids than its tokenizer (a padded vocabulary): those show as <id>.
      pieces: shown.map((id) => (id < s.text.tokenizer.vocabSize ? s.text.tokenizer.piece(id) : `<${id}>`)),
      raw: shown.map((id) => raw[id]),
      probs: shown.map((id) => probs[id]),
      removedBy: shown.map((id) => removedBy[id]),
      kept: probs.reduce((n, p) => n + (p > 0 ? 1 : 0), 0),
      vocabSize: logits.length,
    };
  },

  /**
   * One next token: the most likely ('greedy'), or draw number `draw` (0, 1, ...) of a sampler
   * seeded with `seed`, so k clicks from a prompt give generate()'s first k sampled tokens.
   */
  'nextToken.pick': ({ session }, args): { id: number; text: string } => {
    const s = needSession(session);
    const a = readArgs(args);
    const { mode, seed, draw } = args as { mode?: unknown; seed?: unknown; draw?: unknown };
    if (mode !== 'greedy' && mode !== 'sample')
      throw new Error("next token: mode must be 'greedy' or 'sample'");
    const { logits, ids } = nextLogits(s, a.prompt);
    const { z } = processed(logits, a, ids);
    const rng = new Rng(num(seed, 'seed', 0, 2 ** 32));
    const n = num(draw, 'draw', 0, 1e6);
    if (!Number.isInteger(n)) throw new Error('next token: draw must be a whole number');
    for (let i = 0; i < n; i++) rng.random(); // the draws the earlier clicks used
    const id = chooseToken(z, mode, rng);
    return { id, text: s.text.tokenizer.decode([id]) };
  },
};
