// Pruning (chapter 13): unstructured magnitude pruning with masks, structured removal of attention
// heads and MLP neurons by importance, and a short recovery fine-tune.

export { prunableWeights, magnitudeMasks, magnitudePrune, smallestMask } from './magnitude.js';
export type { PruneScope, MagnitudePruneResult } from './magnitude.js';
export { applyMasks, countZeros } from './masks.js';
export type { PruneMasks } from './masks.js';
export { headImportance, neuronImportance, gateGradients } from './importance.js';
export type { ImportanceKind, ImportanceOptions } from './importance.js';
export { removeHeads, removeNeurons, neuronsToRemove, leastImportant } from './structured.js';
export { recoverFineTune } from './recover.js';
export type { RecoverOptions } from './recover.js';
