// The tokens that end an assistant turn. transformers' generate() stops on the generation config's
// eos_token_id, which for chat models is often a list (Llama 3 Instruct: [128001 <|end_of_text|>,
// 128009 <|eot_id|>]; Qwen2.5 Instruct: [151645 <|im_end|>, 151643 <|endoftext|>]), and the
// tokenizer's eos_token ends the turn in the template. We stop on all of them. A stop token the
// tokenizer does not hold as one id (a tokenizer without that special) becomes a stop string.

import { LlmfsError } from '../errors.js';
import type { ChatTokenizerConfig } from './tokenizer-config.js';

/** What a chat stops on: token ids, and texts for tokens the tokenizer spells with several ids. */
export interface StopTokens {
  ids: number[];
  texts: string[];
}

/** The slice of a tokenizer this needs: decode one id (to check an added token's id is its text). */
export interface IdDecoder {
  decode(ids: readonly number[]): string;
  readonly vocabSize: number;
}

/** eos_token_id of a config object: a number or a list of numbers (absent -> []). */
export function eosIdsOf(obj: unknown, file: string): number[] {
  if (typeof obj !== 'object' || obj === null) return [];
  const v = (obj as Record<string, unknown>).eos_token_id;
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const id of list)
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
      throw new LlmfsError(
        `${file}: eos_token_id must be a token id or a list of them, got ${JSON.stringify(v)}`,
      );
  return list as number[];
}

/** The id of special token `text` in this tokenizer, if the config's added_tokens_decoder agrees. */
function idOf(
  text: string,
  cfg: ChatTokenizerConfig,
  tok: IdDecoder | null,
  specials: Record<string, number>,
) {
  if (specials[text] !== undefined) return specials[text];
  const id = cfg.addedTokens.get(text);
  if (id === undefined) return undefined;
  if (tok === null) return id;
  if (id >= tok.vocabSize) return undefined;
  try {
    return tok.decode([id]) === text ? id : undefined;
  } catch {
    return undefined; // the tokenizer has no such id: it is not the one the config was written for
  }
}

export interface StopTokenSources {
  /** tokenizer_config.json's fields. */
  tokenizerConfig: ChatTokenizerConfig;
  /** generation_config.json (parsed), and its path, when the directory has one. */
  generationConfig?: { json: unknown; file: string };
  /** config.json (parsed), and its path. */
  modelConfig?: { json: unknown; file: string };
  /** The tokenizer the prompt is encoded with, or null to trust the config's ids. */
  tokenizer: IdDecoder | null;
  /** The tokenizer's special tokens (text -> id), when it keeps such a table. */
  specialIds?: Record<string, number>;
  /** The model's vocabulary size: every stop id must be below it. */
  vocabSize: number;
}

/** eos_token (as an id, or a stop text) plus the eos_token_id lists of generation_config and config. */
export function stopTokensOf(s: StopTokenSources): StopTokens {
  const ids = new Set<number>();
  const texts: string[] = [];
  const eos = s.tokenizerConfig.specialTokens.eos_token;
  if (eos !== undefined) {
    const id = idOf(eos, s.tokenizerConfig, s.tokenizer, s.specialIds ?? {});
    if (id !== undefined) ids.add(id);
    else texts.push(eos);
  }
  for (const src of [s.generationConfig, s.modelConfig]) {
    if (src === undefined) continue;
    for (const id of eosIdsOf(src.json, src.file)) {
      if (id >= s.vocabSize)
        throw new LlmfsError(
          `${src.file}: eos_token_id ${id} is not a token id of this model (ids 0..${s.vocabSize - 1})`,
        );
      ids.add(id);
    }
  }
  return { ids: [...ids], texts };
}
