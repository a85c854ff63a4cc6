// Classification training for the ViT on generated scenes (issue 20): label vocabularies, batches
// made in memory, the training loop (AdamW, warm-up + cosine, clipping) and accuracy per head.

export * from './labels.js';
export * from './batches.js';
export * from './evaluate.js';
export * from './model.js';
export * from './classify.js';
