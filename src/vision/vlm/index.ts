// The vision-language models (issue 20), portable: the LLaVA-style prefix model and the
// cross-attention encoder-decoder behind one interface, their text sequences, decoding (the
// project's greedy and beam search), training on generated scenes, and evaluation.

export * from './config.js';
export * from './types.js';
export { PrefixVlm, PrefixCache } from './prefix.js';
export { CrossVlm } from './cross.js';
export { createVlm } from './create.js';
export * from './sequences.js';
export { vlmGenerate } from './generate.js';
export { patchAttention, type PatchWindow } from './patch-attention.js';
export * from './train.js';
export * from './evaluate.js';
export { attentionOverlay } from './overlay.js';
