// The default ViT for the scene classifier: sized to train in minutes on two CPU cores. 48x48
// scenes cut into 16x16 patches give 9 tokens (+[CLS]), one per cell of the scenes' 3x3 grid, so
// each object lies in one patch (8x8 patches, 36 tokens, cost several times as much per step).

import { type ViTConfig, vitConfig } from '../model/vit-config.js';
import { type LabelVocabularies, headSizes } from './labels.js';

export interface ClassifierShape {
  imageSize: number;
  patchSize: number;
  dModel: number;
  nHead: number;
  nLayer: number;
}

export const CLASSIFIER_DEFAULTS: ClassifierShape = {
  imageSize: 48,
  patchSize: 16,
  dModel: 64,
  nHead: 4,
  nLayer: 3,
};

/** The ViT config of a scene classifier: the paper's defaults, one head per label vocabulary. */
export function classifierConfig(vocab: LabelVocabularies, shape: Partial<ClassifierShape> = {}): ViTConfig {
  const s = { ...CLASSIFIER_DEFAULTS, ...shape };
  return vitConfig({ ...s, heads: headSizes(vocab) });
}
