// Autoregressive generation (greedy or sampled): run the prompt once, then repeatedly turn the
// last position's logits into a token (processors, then argmax or a seeded draw), append it and
// feed only that token through the KV cache. Stops at max new tokens, an end-of-text id, or a stop
// sequence; each token is streamed through onToken with its probability and the entropy.

import type { GPT } from '../model/gpt.js';
import { Rng } from '../tensor/rng.js';
import { type CausalLm, asLm } from './lm.js';
import { Stepper, type StepperOptions } from './stepper.js';
import { applyProcessors } from './processor.js';
import { buildProcessors, type SamplingOptions } from './settings.js';
import { chooseToken, type Strategy } from './sampler.js';
import { entropy, logSoftmax, topIds } from './probs.js';
import { TextStream } from './stream.js';
import { LlmfsError } from '../errors.js';

export interface GenerateOptions extends SamplingOptions, StepperOptions {
  /** Most tokens to generate (default 32). */
  maxNewTokens?: number;
  /** 'greedy' (default) or 'sample'; sampling with temperature 0 is greedy. */
  strategy?: Strategy;
  /** Seed of the sampler's Rng (default 0); ignored when `rng` is given. */
  seed?: number;
  rng?: Rng;
  /** Generation stops when one of these ids is produced (it is not part of the output). */
  eosId?: number | readonly number[];
  /** Generation stops when the text contains one of these; the text is cut before it. Needs `decode`. */
  stop?: readonly string[];
  /** Token ids -> text (a tokenizer's decode), for streaming text and stop sequences. */
  decode?: (ids: readonly number[]) => string;
  /** Called once per generated token, as soon as it is chosen. */
  onToken?: (token: GeneratedToken) => void;
  /** Called with each new piece of text that is safe to show (needs `decode`): the stream. */
  onText?: (text: string) => void;
  /** How many most-likely alternatives to report per token (default 0). */
  topAlternatives?: number;
  /** Keep each step's raw next-token logits in the result (for tests and diagnosis). */
  keepLogits?: boolean;
}

export interface GeneratedToken {
  id: number;
  /** 0 for the first generated token. */
  index: number;
  /** log p(id) under the model's own distribution (raw logits, temperature 1, no processors). */
  logprob: number;
  prob: number;
  /** Entropy of that distribution in nats: 0 = certain, log V = uniform. */
  entropy: number;
  /** The most likely ids with their probabilities (topAlternatives of them). */
  alternatives: { id: number; prob: number }[];
}

export type FinishReason = 'length' | 'eos' | 'stop';

export interface GenerateResult {
  /** The generated ids (the prompt and the end-of-text id excluded). */
  ids: number[];
  /** Their text, cut before a stop sequence ('' without `decode`). */
  text: string;
  tokens: GeneratedToken[];
  finishReason: FinishReason;
  /** Raw next-token logits of every step (with keepLogits). */
  logits?: Float32Array[];
  /** Floats held by the KV cache at the end (0 without a cache). */
  cacheFloats: number;
}

function checkOptions(o: GenerateOptions): void {
  const n = o.maxNewTokens ?? 32;
  if (!Number.isInteger(n) || n < 0)
    throw new LlmfsError(`generate: maxNewTokens must be a non-negative integer, got ${n}`);
  if (o.strategy !== undefined && o.strategy !== 'greedy' && o.strategy !== 'sample') {
    throw new LlmfsError(
      `generate: strategy must be 'greedy' or 'sample' (beam search is beamSearch()), got ` +
        `'${String(o.strategy)}'`,
    );
  }
  if (o.stop?.length && !o.decode)
    throw new LlmfsError('generate: stop sequences need a decode function (a tokenizer)');
  if (o.temperature !== undefined && !(o.temperature >= 0))
    throw new LlmfsError(`temperature must be >= 0, got ${o.temperature}`);
}

/** Generates up to maxNewTokens tokens after `prompt` (token ids). */
export function generate(
  model: GPT | CausalLm,
  prompt: readonly number[],
  o: GenerateOptions = {},
): GenerateResult {
  checkOptions(o);
  if (prompt.length === 0)
    throw new LlmfsError(
      'generate: the prompt is empty; give at least one token (for example the end-of-text id)',
    );
  const lm = asLm(model);
  const maxNewTokens = o.maxNewTokens ?? 32;
  const strategy: Strategy = o.temperature === 0 ? 'greedy' : (o.strategy ?? 'greedy');
  const processors = buildProcessors({ ...o, temperature: o.temperature === 0 ? undefined : o.temperature });
  const rng = o.rng ?? new Rng(o.seed ?? 0);
  const eos = new Set(o.eosId === undefined ? [] : typeof o.eosId === 'number' ? [o.eosId] : o.eosId);
  const stream = o.decode ? new TextStream(o.decode, o.stop ?? []) : null;
  const alternatives = o.topAlternatives ?? 0;
  if (o.overflow !== 'slide' && prompt.length + maxNewTokens - 1 > lm.contextSize) {
    throw new LlmfsError(
      `generate: a prompt of ${prompt.length} tokens plus ${maxNewTokens} new tokens needs ` +
        `${prompt.length + maxNewTokens - 1} positions, more than the context window of ${lm.contextSize}; ` +
        `use fewer tokens or the 'slide' overflow policy (--overflow slide)`,
    );
  }
  for (const id of prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= lm.vocabSize)
      throw new LlmfsError(
        `generate: prompt token ${id} is not an id of the model's vocabulary of ${lm.vocabSize}`,
      );
  }

  const stepper = new Stepper(lm, o);
  const result: GenerateResult = { ids: [], text: '', tokens: [], finishReason: 'length', cacheFloats: 0 };
  if (o.keepLogits) result.logits = [];
  const tokens = [...prompt];
  let logits = maxNewTokens > 0 ? stepper.start([prompt])[0] : null;
  for (let i = 0; i < maxNewTokens && logits; i++) {
    if (result.logits) result.logits.push(logits);
    const z = applyProcessors(processors, Float64Array.from(logits), { tokens, generated: result.ids });
    const id = chooseToken(z, strategy, rng);
    if (eos.has(id)) {
      result.finishReason = 'eos';
      break;
    }
    const lp = logSoftmax(logits);
    const probs = lp.map(Math.exp);
    tokens.push(id);
    result.ids.push(id);
    const token: GeneratedToken = {
      id,
      index: i,
      logprob: lp[id],
      prob: probs[id],
      entropy: entropy(probs),
      alternatives: topIds(lp, alternatives).map((a) => ({ id: a, prob: probs[a] })),
    };
    result.tokens.push(token);
    o.onToken?.(token);
    const delta = stream ? stream.push(result.ids) : '';
    if (delta) o.onText?.(delta);
    if (stream?.stopped) {
      result.finishReason = 'stop';
      break;
    }
    if (i + 1 < maxNewTokens) logits = stepper.append([id])[0];
  }
  if (stream) {
    const rest = stream.flush();
    if (rest) o.onText?.(rest);
    result.text = stream.text;
  }
  result.cacheFloats = stepper.cache?.size ?? 0;
  return result;
}
