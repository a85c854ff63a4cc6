// A small, fast training configuration shared by the training tests (the rest from TRAIN_DEFAULTS).

import { trainConfig, type TrainConfig } from '../../src/train/config.js';

export const quickConfig: TrainConfig = trainConfig({
  steps: 200,
  batchSize: 16,
  lr: 3e-3,
  warmupSteps: 20,
  minLr: 3e-4,
  weightDecay: 0.1,
  momentum: 0.9,
  evalInterval: 100,
  evalBatches: 8,
  seed: 7,
});
