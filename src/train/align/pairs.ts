// Preference pairs (Ouyang et al., 2022; Rafailov et al., 2023): a prompt with two responses, one
// preferred ("chosen") and one not ("rejected"). The fields are rasbt's DPO data's (instruction,
// input, chosen, rejected), with `prompt` as an alternative: raw prompt text used verbatim. Each
// response is encoded after the prompt as instruction tuning does (prompt ids, response ids, end-
// of-text), and a batch of B pairs is ONE batch of 2B rows, chosen rows first, so one forward pass
// scores both sides:
//   x, y, mask (2B, T):  rows 0..B-1 = prompt + chosen,  rows B..2B-1 = prompt + rejected
// Truncation policy: a prompt that fills the context alone is an error (nothing would be left to
// score); a response that does not fit is cut at the context, end-of-text included.

import { LlmfsError } from '../../errors.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import type { Batch } from '../data.js';
import { instructBatch, type EncodedExample, type PadOptions } from '../instruct/batches.js';
import { formatPrompt, type PromptTemplate } from '../instruct/template.js';

/** One preference pair: `prompt` (verbatim) or `instruction` [+ `input`] (through a template). */
export interface PreferencePair {
  instruction?: string;
  input?: string;
  prompt?: string;
  chosen: string;
  rejected: string;
  task?: string;
}

export interface EncodedPair {
  chosen: EncodedExample;
  rejected: EncodedExample;
  task?: string;
}

/** The prompt text of a pair: `prompt` verbatim, or the instruction in `template`. */
export function pairPrompt(p: PreferencePair, template: PromptTemplate | null): string {
  if (p.prompt !== undefined) return p.prompt;
  if (p.instruction === undefined) throw new LlmfsError('preference pair: no prompt and no instruction');
  if (!template) return p.input ? `${p.instruction}\n${p.input}\n` : `${p.instruction}\n`;
  return formatPrompt(template, { instruction: p.instruction, input: p.input ?? '' });
}

/** Prompt ids then the response's ids and `eosId`, cut to `maxLen` ids (= context + 1). */
export function encodeResponse(
  prompt: readonly number[],
  response: readonly number[],
  eosId: number,
  maxLen: number,
): EncodedExample {
  return { ids: [...prompt, ...response, eosId].slice(0, maxLen), promptLen: prompt.length };
}

/** Encodes both sides of a pair; `where` names the pair in messages. */
export function encodePair(
  tok: Tokenizer,
  template: PromptTemplate | null,
  p: PreferencePair,
  eosId: number,
  maxLen: number,
  where = 'pair',
): EncodedPair {
  if (p.chosen.trim() === '' || p.rejected.trim() === '')
    throw new LlmfsError(`${where}: an empty ${p.chosen.trim() === '' ? 'chosen' : 'rejected'} response`);
  if (p.chosen.trim() === p.rejected.trim())
    throw new LlmfsError(`${where}: identical chosen and rejected responses: the pair teaches nothing`);
  const prompt = tok.encode(pairPrompt(p, template));
  if (prompt.length >= maxLen)
    throw new LlmfsError(
      `${where}: the prompt alone is ${prompt.length} tokens and the model's context is ` +
        `${maxLen - 1}, so no response token would fit; shorten the prompt or drop the pair`,
    );
  const chosen = encodeResponse(prompt, tok.encode(p.chosen), eosId, maxLen);
  const rejected = encodeResponse(prompt, tok.encode(p.rejected), eosId, maxLen);
  if (chosen.ids.join() === rejected.ids.join())
    throw new LlmfsError(
      `${where}: chosen and rejected are the same once cut to the context of ${maxLen - 1} tokens`,
    );
  return { chosen, rejected, ...(p.task !== undefined ? { task: p.task } : {}) };
}

/** B pairs -> one batch of 2B rows (chosen rows first, then rejected), right-padded with `padId`. */
export function pairBatch(pairs: readonly EncodedPair[], padId: number, pad: PadOptions = {}): Batch {
  if (pairs.length === 0) throw new LlmfsError('preference batch: no pairs');
  return instructBatch([...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], padId, pad);
}
