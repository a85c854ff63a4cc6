// Batches for instruction tuning (Ouyang et al., 2022; rasbt's LLMs-from-scratch ch. 7): each
// example is prompt + response + end-of-text, right-padded (to the longest in the batch, or to a
// multiple of a few positions). The loss is masked to the response: a target is kept only if it
// is a response token (or the closing end-of-text), so the model learns to answer, not to
// reproduce the prompt:
//   L = -(1 / Σ m) Σ_{b,t} m[b,t] log p(y[b,t] | x[b, ≤t]),  m[b,t] = 1 iff t + 1 >= promptLen[b]
// Masked targets become the ignore index (-100) through train/batches.ts maskedTargets.

import { Tensor } from '../../tensor/tensor.js';
import { EpochOrder, type EpochOrderState } from '../epoch-order.js';
import { LlmfsError } from '../../errors.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import type { Batch } from '../data.js';
import type { ResumableSource } from '../batches.js';
import { formatPrompt, type InstructionExample, type PromptTemplate } from './template.js';

/** One example as token ids: the first `promptLen` ids are the prompt, the rest the answer + EOT. */
export interface EncodedExample {
  ids: number[];
  promptLen: number;
}

/**
 * Encodes prompt and response separately (as generation will see the prompt) and appends `eosId`.
 * Longer than `maxLen` = blockSize + 1 ids: the response is cut; a prompt that fills the window
 * alone is an error, since no answer token would be left to learn from.
 */
export function encodeExample(
  tok: Tokenizer,
  t: PromptTemplate,
  ex: InstructionExample,
  eosId: number,
  maxLen: number,
  where = 'example',
): EncodedExample {
  const prompt = tok.encode(formatPrompt(t, ex));
  const ids = [...prompt, ...tok.encode(ex.output), eosId];
  if (prompt.length >= maxLen)
    throw new LlmfsError(
      `${where}: the prompt alone is ${prompt.length} tokens, filling the model's context of ` +
        `${maxLen - 1}; shorten it or use a shorter --template`,
    );
  return { ids: ids.slice(0, maxLen), promptLen: prompt.length };
}

/** Padding: T rounded up to a multiple of `multiple` (fewer distinct shapes), but at most `maxT`. */
export interface PadOptions {
  multiple?: number;
  maxT?: number;
}

/**
 * Examples -> one batch: x (B, T) = ids[0..n-2] and y (B, T) = ids[1..n-1], right-padded with
 * `padId` to the longest; mask (B, T) is 1 on response targets, 0 on prompt targets and padding.
 */
export function instructBatch(
  examples: readonly EncodedExample[],
  padId: number,
  pad: PadOptions = {},
): Batch {
  if (examples.length === 0) throw new LlmfsError('instruction batch: no examples');
  const B = examples.length;
  const longest = Math.max(...examples.map((e) => e.ids.length)) - 1;
  const m = pad.multiple ?? 1;
  const T = Math.max(longest, Math.min(Math.ceil(longest / m) * m, pad.maxT ?? Infinity));
  const x = new Float32Array(B * T).fill(padId);
  const y = new Float32Array(B * T).fill(padId);
  const mask = new Float32Array(B * T);
  examples.forEach((e, b) => {
    for (let t = 0; t + 1 < e.ids.length; t++) {
      x[b * T + t] = e.ids[t];
      y[b * T + t] = e.ids[t + 1];
      mask[b * T + t] = t + 1 >= e.promptLen ? 1 : 0; // the target ids[t+1] is part of the answer
    }
  });
  return { x: new Tensor(x, [B, T]), y: new Tensor(y, [B, T]), mask: new Tensor(mask, [B, T]) };
}

/** Fixed batches in order (for validation). */
export function instructBatches(
  examples: readonly EncodedExample[],
  batchSize: number,
  padId: number,
  pad: PadOptions = {},
): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < examples.length; i += batchSize)
    out.push(instructBatch(examples.slice(i, i + batchSize), padId, pad));
  return out;
}

/**
 * An endless batch source for `train()`: epochs over the examples, each in a new seeded order.
 * Resumable: a checkpoint saves its position, so a resumed run sees the same batches.
 */
export class InstructionSource implements Iterable<Batch>, ResumableSource {
  private order: EpochOrder;

  constructor(
    private readonly examples: readonly EncodedExample[],
    private readonly batchSize: number,
    private readonly padId: number,
    seed = 0,
    private readonly pad: PadOptions = {},
  ) {
    if (examples.length === 0) throw new LlmfsError('instruction data: the training set is empty');
    if (!(batchSize >= 1))
      throw new LlmfsError(`instruction data: batch size must be >= 1, got ${batchSize}`);
    this.order = new EpochOrder(examples.length, seed, 'instruction data');
  }

  next(): Batch {
    const picked = this.order.take(this.batchSize).map((i) => this.examples[i]);
    return instructBatch(picked, this.padId, this.pad);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    for (;;) yield this.next();
  }

  getState(): EpochOrderState {
    return this.order.getState();
  }

  setState(state: unknown): void {
    this.order.setState(state as EpochOrderState);
  }
}
