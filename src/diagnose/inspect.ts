// `llmfs inspect` as a library call: run the model once on the prompt recording every layer's
// attention (B = 1, eval mode, no gradients) and its residual stream; score every head on the
// prompt (attention-stats.ts: entropy, previous-token, first-token/sink, local) and on a repeated
// random sequence (head-scores.ts: induction); classify the heads; read the residual stream with
// the logit lens (logit-lens.ts). inspect-report.ts turns the result into a Report with pictures.

import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import type { GPT } from '../model/gpt.js';
import { LlmfsError } from '../errors.js';
import { attentionStats, headPatterns, type AttentionStats } from './attention-stats.js';
import {
  classifyHead,
  inductionScore,
  repeatedRandomTokens,
  uniformScores,
  type HeadClass,
  type HeadScoreSet,
} from './head-scores.js';
import { idTensor, logitLens } from './logit-lens.js';

export interface InspectOptions {
  /** Predictions kept per position and layer in the logit lens (default 5). */
  topK?: number;
  /** R, the length of the random half of the induction sequence (default min(50, blockSize/2)). */
  seqLen?: number;
  /** Seed of the induction sequence (default 0). */
  seed?: number;
  /** Ids allowed in the induction sequence (default all; the CLI leaves out special and unused ids). */
  usable?: (id: number) => boolean;
}

export interface HeadReport extends AttentionStats {
  layer: number;
  head: number;
  /** On the repeated random sequence (head-scores.ts). */
  induction: number;
  class: HeadClass;
}

export interface LensCell {
  id: number;
  token: string;
  prob: number;
}

export interface InspectData {
  ids: number[];
  /** Each prompt token as text (labels). */
  tokens: string[];
  nLayer: number;
  nHead: number;
  /** One per head, layer-major. */
  heads: HeadReport[];
  /** patterns[layer][head][i][j]: attention on the prompt, (L, nh, T, T). */
  patterns: number[][][][];
  /** The scores of a head that attends uniformly (on this prompt and induction sequence). */
  uniform: HeadScoreSet;
  induction: {
    R: number;
    seed: number;
    ids: number[];
    tokens: string[];
    /** The head with the highest induction score and its (2R, 2R) pattern. */
    best: { layer: number; head: number; score: number; pattern: number[][] };
  };
  lens: {
    /** 'embeddings', 'block 0', ... (L + 1 rows). */
    names: string[];
    /** top[layer][t]: the top-k next tokens at prompt position t. */
    top: LensCell[][][];
    kl: number[][];
    rank: number[][];
  };
}

/** The default R: 50 random tokens, fewer when twice that does not fit the context. */
export function defaultSeqLen(blockSize: number): number {
  return Math.min(50, Math.floor(blockSize / 2));
}

/** Throws one clear line when --layer / --head are out of range. */
export function checkHeadSelection(model: GPT, layer?: number, head?: number): void {
  const { nLayer, nHead } = model.config;
  if (layer !== undefined && !(Number.isInteger(layer) && layer >= 0 && layer < nLayer))
    throw new LlmfsError(`inspect: --layer ${layer} is out of range: this model has layers 0..${nLayer - 1}`);
  if (head !== undefined && !(Number.isInteger(head) && head >= 0 && head < nHead))
    throw new LlmfsError(`inspect: --head ${head} is out of range: this model has heads 0..${nHead - 1}`);
}

/** One forward pass (B = 1) recording attention (L tensors (1, nh, T, T)) and residuals (L + 1). */
function record(model: GPT, ids: readonly number[]): { attention: Tensor[]; residuals: Tensor[] } {
  const attention: Tensor[] = [];
  const residuals: Tensor[] = [];
  noGrad(() => model.forward(idTensor(ids), { recordAttention: attention, recordResiduals: residuals }));
  return { attention, residuals };
}

export function inspectModel(
  model: GPT,
  ids: readonly number[],
  label: (id: number) => string,
  o: InspectOptions = {},
): InspectData {
  const { nLayer, nHead, blockSize, vocabSize } = model.config;
  if (ids.length < 2) throw new LlmfsError('inspect: the prompt must be at least 2 tokens long');
  if (ids.length > blockSize)
    throw new LlmfsError(
      `inspect: the prompt is ${ids.length} tokens, longer than the model's context of ${blockSize}`,
    );
  const R = o.seqLen ?? defaultSeqLen(blockSize);
  if (2 * R > blockSize)
    throw new LlmfsError(
      `inspect: the induction sequence (2 x ${R} tokens) exceeds the model's context of ${blockSize}; ` +
        `use --seq-len <= ${Math.floor(blockSize / 2)}`,
    );
  const seed = o.seed ?? 0;
  const wasTraining = model.training;
  model.eval();
  try {
    const onPrompt = record(model, ids);
    const patterns = onPrompt.attention.map((a) => headPatterns(a.data, a.shape)); // (L, nh, T, T)
    const indIds = repeatedRandomTokens(R, vocabSize, seed, o.usable);
    const indPatterns = record(model, indIds).attention.map((a) => headPatterns(a.data, a.shape));
    const heads: HeadReport[] = [];
    for (let l = 0; l < nLayer; l++) {
      for (let h = 0; h < nHead; h++) {
        const stats = attentionStats(patterns[l][h]);
        const induction = inductionScore(indPatterns[l][h], R);
        heads.push({ layer: l, head: h, ...stats, induction, class: classifyHead({ ...stats, induction }) });
      }
    }
    const top = heads.reduce((a, b) => (b.induction > a.induction ? b : a));
    const lens = logitLens(model, onPrompt.residuals, o.topK ?? 5);
    return {
      ids: [...ids],
      tokens: ids.map(label),
      nLayer,
      nHead,
      heads,
      patterns,
      uniform: uniformScores(ids.length, R),
      induction: {
        R,
        seed,
        ids: indIds,
        tokens: indIds.map(label),
        best: {
          layer: top.layer,
          head: top.head,
          score: top.induction,
          pattern: indPatterns[top.layer][top.head],
        },
      },
      lens: {
        names: lens.layers.map((x) => x.name),
        top: lens.layers.map((x) => x.top.map((ps) => ps.map((p) => ({ ...p, token: label(p.id) })))),
        kl: lens.layers.map((x) => x.kl),
        rank: lens.layers.map((x) => x.rank),
      },
    };
  } finally {
    if (wasTraining) model.train();
  }
}
