// Perplexity of a language model on a text (portable). The loss is the mean negative log-likelihood
// of each scored token given its window's prefix, in nats: loss = -(1/N) Σ ln p(x_t | x_<t).
// perplexity = e^loss; bits per byte = Σ nats / ln 2 / (UTF-8 bytes of the scored tokens: a
// window's unscored first token adds no nats, so its bytes are not counted either).

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';
import type { GPT } from '../model/gpt.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { evalWindows, predictedCount, type Window } from './windows.js';
import { tokenByteCounts } from './token-bytes.js';

/** What evaluation needs from a model: logits for a batch of equal-length rows. */
export interface LogitsModel {
  /** The most tokens one forward pass can see (the window length L). */
  readonly contextSize: number;
  /** ids (B, T) -> logits (B, T, V). */
  logits(ids: Tensor): Tensor;
}

/** Our GPT as a LogitsModel: eval mode (no dropout), no autograd tape. */
export function gptLogits(model: GPT): LogitsModel {
  model.eval();
  return { contextSize: model.config.blockSize, logits: (ids) => noGrad(() => model.forward(ids).logits) };
}

export interface EvalOptions {
  /** Window advance S (default: the context size, i.e. disjoint windows). */
  stride?: number;
  /** Windows per forward pass (default 1); memory grows as B·L·V floats. */
  batchSize?: number;
  /**
   * tokenBytes[i]: the UTF-8 bytes token i decodes to (tokenByteCounts), for bits per byte, which
   * counts the scored tokens' bytes only. Without it bytes and bits per byte are NaN.
   */
  tokenBytes?: ArrayLike<number>;
  /** Called after each forward pass with windows done and in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface EvalResult {
  /** Tokens in the text. */
  tokens: number;
  /** Tokens scored (each from at least one token of context). */
  predicted: number;
  windows: number;
  contextSize: number;
  stride: number;
  /** Σ -ln p over the scored tokens. */
  totalNats: number;
  /** Mean nats per scored token. */
  loss: number;
  perplexity: number;
  /** UTF-8 bytes of the scored tokens (not of the whole text). */
  bytes: number;
  bitsPerByte: number;
}

/** -ln softmax(row)[target], in float64: logsumexp(row) - row[target]. */
export function tokenNll(row: ArrayLike<number>, offset: number, V: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, row[offset + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(row[offset + v] - max);
  return max + Math.log(sum) - row[offset + target];
}

/** A GPT is wrapped by gptLogits; anything else must already be a LogitsModel. */
function asLogitsModel(model: GPT | LogitsModel): LogitsModel {
  return 'logits' in model && 'contextSize' in model ? model : gptLogits(model);
}

/**
 * Scores `tokens` window by window; see evalWindows for which tokens each window scores. A GPT
 * is evaluated in eval mode (no dropout) and left in it.
 */
export function evaluateTokens(
  lm: GPT | LogitsModel,
  tokens: readonly number[],
  opts: EvalOptions = {},
): EvalResult {
  const model = asLogitsModel(lm);
  const L = model.contextSize;
  const stride = opts.stride ?? L;
  const batchSize = opts.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new LlmfsError(`eval: batch size must be a positive integer, got ${batchSize}`);
  const all = evalWindows(tokens.length, L, stride);
  const work = all.filter((w) => w.end > w.scoreFrom);
  let totalNats = 0;
  let done = 0;
  for (let i = 0; i < work.length;) {
    // A batch: up to batchSize consecutive windows of equal length (only the last may be shorter).
    const T = work[i].end - work[i].begin;
    const batch: Window[] = [];
    while (i < work.length && batch.length < batchSize && work[i].end - work[i].begin === T)
      batch.push(work[i++]);
    const ids = new Tensor(Float32Array.from(batch.flatMap((w) => tokens.slice(w.begin, w.end))), [
      batch.length,
      T,
    ]); // (B, T)
    const logits = model.logits(ids); // (B, T, V)
    const V = logits.shape[2];
    if (logits.ndim !== 3 || logits.shape[0] !== batch.length || logits.shape[1] !== T) {
      throw new LlmfsError(
        `eval: the model returned logits of shape (${logits.shape.join(', ')}), expected (${batch.length}, ` +
          `${T}, V)`,
      );
    }
    batch.forEach((w, b) => {
      // Logits at position t - 1 predict token t.
      for (let t = w.scoreFrom; t < w.end; t++) {
        const target = tokens[t];
        if (!(target >= 0 && target < V))
          throw new LlmfsError(`eval: token id ${target} is outside the model's vocabulary of ${V}`);
        totalNats += tokenNll(logits.data, (b * T + (t - 1 - w.begin)) * V, V, target);
      }
    });
    done += batch.length;
    opts.onProgress?.(done, work.length);
  }
  const predicted = predictedCount(all);
  const loss = totalNats / predicted;
  const bytes = scoredBytes(all, tokens.length, opts.tokenBytes);
  return {
    tokens: tokens.length,
    predicted,
    windows: all.length,
    contextSize: L,
    stride,
    totalNats,
    loss,
    perplexity: Math.exp(loss),
    bytes,
    bitsPerByte: totalNats / Math.LN2 / bytes,
  };
}

/** Σ tokenBytes over the tokens the windows score; NaN without tokenBytes. */
function scoredBytes(windows: readonly Window[], n: number, tokenBytes?: ArrayLike<number>): number {
  if (tokenBytes === undefined) return NaN;
  if (tokenBytes.length !== n)
    throw new LlmfsError(`eval: tokenBytes has ${tokenBytes.length} entries for ${n} tokens`);
  let bytes = 0;
  for (const w of windows) for (let t = w.scoreFrom; t < w.end; t++) bytes += tokenBytes[t];
  return bytes;
}

/** Encodes `text` as ordinary text (special tokens' spellings are not special) and scores it. */
export function evaluateText(
  model: GPT | LogitsModel,
  tokenizer: Tokenizer,
  text: string,
  opts: EvalOptions = {},
): EvalResult {
  const tokens = tokenizer.encode(text);
  return evaluateTokens(model, tokens, {
    ...opts,
    tokenBytes: opts.tokenBytes ?? tokenByteCounts(tokenizer, text, tokens),
  });
}
