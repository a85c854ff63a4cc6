// `llmfs export --format gguf` as a library call: a pretrained directory (ours or Hugging Face
// GPT-2, through loadPretrained) -> one GGUF file llama.cpp, Ollama and LM Studio load.

import { basename } from 'node:path';
import { LlmfsError } from '../../errors.js';
import type { GPT } from '../../model/gpt.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import { loadPretrained } from '../load-pretrained.js';
import { gpt2Gguf, type GgufQuant } from './gpt2-gguf.js';
import { tokenizerMetadata } from './tokenizer-gguf.js';
import { writeGguf } from './gguf-writer.js';

export interface GgufExportReport {
  path: string;
  bytes: number;
  tensors: number;
  quant: GgufQuant;
  /** Matrices written f16 because their rows are not whole 32-value blocks. */
  fellBack: string[];
  /** Vocabulary ids with no token, written as unused [PADn] entries. */
  padded: number;
  /** The end-of-text id written as eos, or null (llama.cpp then assumes id 11). */
  eosTokenId: number | null;
}

/** Writes `model` with `tokenizer` to `path` as GGUF (llama.cpp's gpt2 architecture). */
export function saveGguf(
  path: string,
  model: GPT,
  tokenizer: Tokenizer | null,
  o: { quant: GgufQuant; name: string; eosTokenId: number | null },
): GgufExportReport {
  if (!tokenizer)
    throw new LlmfsError(
      'export gguf: the model directory has no tokenizer (vocab.json + merges.txt or tokenizer.json); ' +
        'a GGUF file must carry one',
    );
  const tok = tokenizerMetadata(tokenizer, model.config.vocabSize, o.eosTokenId);
  const plan = gpt2Gguf(model, o.quant, o.name, tok.metadata);
  const bytes = writeGguf(path, plan.metadata, plan.tensors);
  return {
    path,
    bytes,
    tensors: plan.tensors.length,
    quant: o.quant,
    fellBack: plan.fellBack,
    padded: tok.padded,
    eosTokenId: o.eosTokenId,
  };
}

/** Loads the model directory `dir` (ours or HF GPT-2) and writes it to `path` as GGUF. */
export function exportGguf(dir: string, path: string, quant: GgufQuant): GgufExportReport {
  const p = loadPretrained(dir);
  const name = basename(p.dir.replace(/\/+$/, '')) || 'llmfs-gpt';
  return saveGguf(path, p.model, p.tokenizer, { quant, name, eosTokenId: p.eosTokenId });
}
