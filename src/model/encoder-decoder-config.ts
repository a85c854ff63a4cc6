// Configuration of the encoder-decoder Transformer (Vaswani et al., 2017), one typed object.
// Defaults follow the paper (post-norm, ReLU, sinusoidal positions, embeddings scaled by
// sqrt(d_model)) except where noted.

import { LlmfsError } from '../errors.js';
import type { Activation, PositionKind } from './config.js';
import type { NormPlacement } from './block.js';

export interface EncoderDecoderConfig {
  srcVocabSize: number;
  tgtVocabSize: number;
  /** d_model: the width of both residual streams. */
  dModel: number;
  nHead: number;
  nEncoderLayer: number;
  nDecoderLayer: number;
  /** Hidden width of the feed-forward networks (4·d_model in the paper). */
  dFF: number;
  /** Longest source or target sequence. */
  maxLen: number;
  dropout: number;
  activation: Activation;
  /** 'post' as the paper; 'pre' (as torch's norm_first) trains more easily when deep. */
  normPlacement: NormPlacement;
  /** 'sinusoidal' as the paper, or 'learned'. */
  positions: Exclude<PositionKind, 'rope' | 'none'>;
  normEps: number;
  /** Share the target embedding with the output projection. */
  tieWeights: boolean;
  /** Id that marks padding in source and target batches. */
  padId: number;
}

export type EncoderDecoderConfigInput = Pick<
  EncoderDecoderConfig,
  'srcVocabSize' | 'tgtVocabSize' | 'dModel' | 'nHead' | 'nEncoderLayer' | 'nDecoderLayer'
> &
  Partial<EncoderDecoderConfig>;

export function encoderDecoderConfig(i: EncoderDecoderConfigInput): EncoderDecoderConfig {
  const c: EncoderDecoderConfig = {
    dFF: 4 * i.dModel,
    maxLen: 512,
    dropout: 0,
    activation: 'relu',
    normPlacement: 'post',
    positions: 'sinusoidal',
    normEps: 1e-5,
    tieWeights: false,
    padId: 0,
    ...i,
  };
  for (const k of [
    'srcVocabSize',
    'tgtVocabSize',
    'dModel',
    'nHead',
    'nEncoderLayer',
    'nDecoderLayer',
    'dFF',
    'maxLen',
  ] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0)
      throw new LlmfsError(`encoder-decoder config: ${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.dModel % c.nHead !== 0)
    throw new LlmfsError(`encoder-decoder config: dModel ${c.dModel} must be divisible by nHead ${c.nHead}`);
  if (!['pre', 'post'].includes(c.normPlacement))
    throw new LlmfsError(`encoder-decoder config: normPlacement must be 'pre' or 'post'`);
  if (!['sinusoidal', 'learned'].includes(c.positions))
    throw new LlmfsError(`encoder-decoder config: positions must be 'sinusoidal' or 'learned'`);
  return c;
}
