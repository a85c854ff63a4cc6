// Models: positions, attention, blocks, GPT and the encoder-decoder Transformer, and presets.

export * from './config.js';
export * from './encoder-decoder-config.js';
export { GPT, type GPTForwardOptions, type GPTOutput } from './gpt.js';
export { EncoderDecoder, EncoderDecoderCache, type Encoded } from './encoder-decoder.js';
export { Block, residual, denseMlp, type NormPlacement } from './block.js';
export { MultiHeadAttention, type MultiHeadOptions, type AttentionCallOptions } from './multihead.js';
export { AttentionHead } from './attention-head.js';
export { CrossAttention } from './cross-attention.js';
export { MLP, type MlpOptions } from './mlp.js';
export { MixtureOfExperts, moeSummary, type MoeOptions, type MoeStats, type MoeLogRecord } from './moe.js';
export {
  routeTopK,
  topKRouting,
  topKIndices,
  routedFractions,
  loadBalancingLoss,
  expertCapacity,
  keptChoices,
  type Routing,
} from './router.js';
export {
  applyLora,
  loraLayers,
  mergeLora,
  unmergeLora,
  mergeAndUnloadLora,
  matchesTarget,
  DEFAULT_LORA_TARGETS,
  type ApplyLoraOptions,
} from './lora-apply.js';
export { TransformerEncoder, EncoderLayer } from './encoder.js';
export { TransformerDecoder, DecoderLayer, type DecoderLayerCache } from './decoder.js';
export { KVCache, type LayerKvCache } from './kv-cache.js';
export {
  scaledDotProductAttention,
  splitHeads,
  mergeHeads,
  repeatKv,
  type AttentionOptions,
  type AttentionResult,
} from './attention.js';
export { causalMask, paddingMask, combineMasks } from './masks.js';
export { sinusoidalTable } from './sinusoidal.js';
export { ropeTables, applyRope, type RopeTables } from './rope.js';
export { ropeFrequencies } from './rope-scaling.js';
export { applyRopeInterleaved, permuteForRotateHalf } from './rope-interleaved.js';
export { GPT_PRESETS, SEQ2SEQ_PRESETS, PRESET_NAMES, gptPreset } from './presets.js';
export { gptParameterShapes, gptParameterCount, type ParamShape } from './param-shapes.js';
// Attention variants (issue 18)
export * from './attention-patterns.js';
export { appendRolling } from './rolling-kv-cache.js';
