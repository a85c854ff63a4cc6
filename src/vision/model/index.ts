// The vision models (issue 20): the ViT encoder and its parts, and the LLaVA-style projector.
// Portable: tensors in, tensors out (images are read and turned into tensors elsewhere in src/vision).
// The patch unfold they rest on is an op: unfoldPatches / foldPatches in tensor/.

export * from './vit-config.js';
export { PatchEmbedding } from './patch-embedding.js';
export { PatchPositions } from './positions.js';
export { ClassifierHeads, headsLoss, type HeadLogits } from './heads.js';
export { ViT, type ViTOutput } from './vit.js';
export { Projector, type ProjectorKind, type ProjectorOptions } from './projector.js';
