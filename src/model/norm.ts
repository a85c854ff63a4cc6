// The normalisation a config names: LayerNorm (Ba et al., 2016) or RMSNorm (Zhang & Sennrich, 2019).

import { LayerNorm, RMSNorm } from '../nn/layers.js';
import type { NormKind } from './config.js';

export type Norm = LayerNorm | RMSNorm;

export function makeNorm(kind: NormKind, dim: number, eps: number, bias = true): Norm {
  return kind === 'rmsnorm' ? new RMSNorm(dim, { eps }) : new LayerNorm(dim, { eps, bias });
}
