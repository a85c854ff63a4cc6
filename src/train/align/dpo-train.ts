// DPO training (Rafailov et al., 2023; rasbt's LLMs-from-scratch ch. 7 bonus notebook) through the
// usual training loop (trainer.ts: AdamW, schedule, clipping, checkpoints, NaN and Ctrl-C
// handling). The reference model is the policy as it starts: its log-probabilities of every
// pair's two responses are computed ONCE, before the first step, and ride along with each batch,
// so no second copy of the model is kept (with LoRA the reference is the base, too).
//   per step: logπ (2B) from one forward pass -> dpo(π_c, π_r, ref_c, ref_r, β) -> backward

import { noGrad } from '../../tensor/autograd.js';
import { LlmfsError } from '../../errors.js';
import type { GPT } from '../../model/gpt.js';
import type { Batch } from '../data.js';
import type { ResumableSource } from '../batches.js';
import { arenasOf } from '../batch-loss.js';
import { EpochOrder, type EpochOrderState } from '../epoch-order.js';
import type { PadOptions } from '../instruct/batches.js';
import { pairBatch, type EncodedPair } from './pairs.js';
import { sequenceLogProbs } from './logprobs.js';
import { constant, dpo, mergeDpoStats, type DpoStats } from './dpo.js';

/** A batch of B pairs (2B rows) with the reference's summed log-probabilities of each side. */
export interface DpoBatch extends Batch {
  refChosen: number[];
  refRejected: number[];
}

export function isDpoBatch(b: Batch): b is DpoBatch {
  return Array.isArray((b as DpoBatch).refChosen) && Array.isArray((b as DpoBatch).refRejected);
}

/** Summed log-probabilities of each pair's chosen and rejected response: the frozen reference. */
export interface ReferenceLogProbs {
  chosen: number[];
  rejected: number[];
}

/** The model's log π(chosen) and log π(rejected) of every pair, in eval mode, without a graph. */
export function referenceLogProbs(
  model: GPT,
  pairs: readonly EncodedPair[],
  batchSize: number,
  padId: number,
  pad: PadOptions = {},
): ReferenceLogProbs {
  const out: ReferenceLogProbs = { chosen: [], rejected: [] };
  const wasTraining = model.training;
  model.eval();
  const arena = arenasOf(model).eval;
  try {
    noGrad(() => {
      for (let i = 0; i < pairs.length; i += batchSize) {
        const chunk = pairs.slice(i, i + batchSize);
        arena.run(() => {
          const s = sequenceLogProbs(model, pairBatch(chunk, padId, pad)).sum.data; // (2B)
          out.chosen.push(...Array.from(s.subarray(0, chunk.length)));
          out.rejected.push(...Array.from(s.subarray(chunk.length, 2 * chunk.length)));
        });
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/** Pairs with their reference values -> a DPO batch. */
export function dpoBatch(
  pairs: readonly EncodedPair[],
  ref: ReferenceLogProbs,
  indices: readonly number[],
  padId: number,
  pad: PadOptions = {},
): DpoBatch {
  return {
    ...pairBatch(
      indices.map((i) => pairs[i]),
      padId,
      pad,
    ),
    refChosen: indices.map((i) => ref.chosen[i]),
    refRejected: indices.map((i) => ref.rejected[i]),
  };
}

/** Fixed batches in order (validation). */
export function dpoBatches(
  pairs: readonly EncodedPair[],
  ref: ReferenceLogProbs,
  batchSize: number,
  padId: number,
  pad: PadOptions = {},
): DpoBatch[] {
  const out: DpoBatch[] = [];
  for (let i = 0; i < pairs.length; i += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, pairs.length - i) }, (_, k) => i + k);
    out.push(dpoBatch(pairs, ref, idx, padId, pad));
  }
  return out;
}

/** Endless, seeded, resumable DPO batches for `train()`. */
export class PairSource implements Iterable<Batch>, ResumableSource {
  private order: EpochOrder;

  constructor(
    private readonly pairs: readonly EncodedPair[],
    private readonly ref: ReferenceLogProbs,
    private readonly batchSize: number,
    private readonly padId: number,
    seed = 0,
    private readonly pad: PadOptions = {},
  ) {
    if (!(batchSize >= 1)) throw new LlmfsError(`DPO: batch size must be >= 1, got ${batchSize}`);
    this.order = new EpochOrder(pairs.length, seed, 'preference data');
  }

  next(): DpoBatch {
    return dpoBatch(this.pairs, this.ref, this.order.take(this.batchSize), this.padId, this.pad);
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

/**
 * The DPO loss of a batch, for `train()`'s `loss` hook. Each call's statistics go to `onStats`
 * (`training` tells a training step from an evaluation batch).
 */
export function dpoLossFn(
  beta: number,
  labelSmoothing = 0,
  onStats?: (s: DpoStats, training: boolean) => void,
): (model: GPT, b: Batch) => ReturnType<typeof dpo>['loss'] {
  return (model, b) => {
    if (!isDpoBatch(b)) throw new LlmfsError('DPO: the batch has no reference log-probabilities');
    const B = b.refChosen.length;
    const s = sequenceLogProbs(model, b).sum; // (2B): chosen rows, then rejected
    const out = dpo(
      s.narrow(0, 0, B),
      s.narrow(0, B, B),
      constant(b.refChosen),
      constant(b.refRejected),
      beta,
      labelSmoothing,
    );
    onStats?.(out.stats, model.training);
    return out.loss;
  };
}

/** DPO statistics of `model` over fixed batches, in eval mode, without a graph. */
export function evaluateDpo(
  model: GPT,
  batches: readonly DpoBatch[],
  beta: number,
  labelSmoothing = 0,
): DpoStats {
  const all: DpoStats[] = [];
  const lossOf = dpoLossFn(beta, labelSmoothing, (s) => all.push(s));
  const wasTraining = model.training;
  model.eval();
  const arena = arenasOf(model).eval;
  try {
    noGrad(() => batches.forEach((b) => arena.run(() => void lossOf(model, b))));
  } finally {
    model.train(wasTraining);
  }
  return mergeDpoStats(all);
}
