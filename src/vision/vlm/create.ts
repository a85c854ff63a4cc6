// Building a vision-language model of either kind from one config, with seeded weights.

import { manualSeed } from '../../tensor/rng.js';
import type { VlmConfigInput } from './config.js';
import type { VisionLanguageModel } from './types.js';
import { PrefixVlm } from './prefix.js';
import { CrossVlm } from './cross.js';

/** A new model of config.kind ('prefix' by default), its weights drawn after manualSeed(seed). */
export function createVlm(config: VlmConfigInput, seed = 0): VisionLanguageModel {
  manualSeed(seed);
  return config.kind === 'cross' ? new CrossVlm(config) : new PrefixVlm(config);
}
