// A small, fast training configuration shared by the training tests.

import type { TrainConfig } from '../../src/train/index.js';

export const quickConfig: TrainConfig = {
  steps: 200, batchSize: 16, gradAccum: 1, optimizer: 'adamw', lr: 3e-3, schedule: 'cosine', warmupSteps: 20,
  decaySteps: 200, minLr: 3e-4, weightDecay: 0.1, beta1: 0.9, beta2: 0.99, momentum: 0.9, gradClip: 1,
  evalInterval: 100, evalBatches: 8, seed: 7,
};
