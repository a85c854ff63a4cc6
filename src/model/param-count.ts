// What a config costs before any weight exists: its parameters (gptParameterShapes, a tied head
// counted once, as Hugging Face's num_parameters()) split into embedding tables and the rest, and
// the KV cache's bytes per token, 2 (K and V) · nLayer · nKvHead · hs · bytes per value.

import { type GPTConfig, type GPTConfigInput, gptConfig } from './config.js';
import { gptParameterShapes } from './param-shapes.js';

export interface ModelSize {
  /** Every parameter, a tied output head counted once. */
  parameters: number;
  /** Those of the token and position tables and an untied output head (V·C each; T·C). */
  embedding: number;
  /** The rest: the blocks and the final norm, the work done per token. */
  nonEmbedding: number;
  /** Bytes the KV cache grows by per token: 2 · L · nkv · hs · bytesPerValue. */
  kvBytesPerToken: number;
  /** The most tokens the KV cache holds: the sliding window W, or the context T. */
  kvMaxTokens: number;
}

const EMBEDDING = new Set(['wte.weight', 'wpe.weight', 'lm_head.weight']);

/** The size of `new GPT(config)` without building it; `bytesPerValue` 4 for f32, 2 for bf16/f16. */
export function modelSize(configIn: GPTConfigInput | GPTConfig, bytesPerValue = 4): ModelSize {
  const c = gptConfig(configIn);
  let parameters = 0;
  let embedding = 0;
  for (const p of gptParameterShapes(c)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    parameters += n;
    if (EMBEDDING.has(p.name)) embedding += n;
  }
  // Grouped-query attention caches nKvHead heads, not nHead: the point of GQA at generation time.
  const kvBytesPerToken = 2 * c.nLayer * c.nKvHead * c.headDim * bytesPerValue;
  const kvMaxTokens = c.attention === 'sliding' ? c.window : c.blockSize;
  return { parameters, embedding, nonEmbedding: parameters - embedding, kvBytesPerToken, kvMaxTokens };
}
