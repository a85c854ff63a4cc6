// Shared by `llmfs chat` and `llmfs generate --chat`: a model directory's chat template and stop
// tokens (src/chat/, read by io/chat-files.ts), the rendered prompt as token ids, and the checks of
// generate's --chat, --system and --chat-template flags.

import { LlmfsError } from '../errors.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import type { Tokenizer } from '../tokenizer/types.js';
import type { ChatMessage } from '../chat/render.js';
import type { StopTokens } from '../chat/stop-tokens.js';
import { chatStopTokens, requireChatTemplate, type ChatFiles } from '../io/chat-files.js';
import type { ParsedFlags } from './args.js';
import type { ChatTemplate } from '../chat/render.js';

export interface ChatSetup {
  template: ChatTemplate;
  stop: StopTokens;
}

/** The template and its stop tokens, checked against the model's tokenizer and vocabulary. */
export function chatSetupOf(
  files: ChatFiles & { template: ChatTemplate },
  tok: Tokenizer,
  V: number,
): ChatSetup {
  const specials = tok instanceof BpeTokenizer ? tok.specialTokens : undefined;
  return { template: files.template, stop: chatStopTokens(files, tok, V, { ...specials }) };
}

/**
 * Token ids of a rendered chat prompt. As transformers tokenizes it (add_special_tokens=False), the
 * special tokens the template wrote (<|im_start|>, <|eot_id|>, the bos_token) become their ids,
 * and nothing is added around the text: the template already wrote the bos_token if the model
 * wants one. As in transformers, a message that itself contains a special token's text (say
 * "<|im_end|>") is encoded as that special token too: the template does not escape content.
 */
export function encodeChatPrompt(tok: Tokenizer, text: string): number[] {
  return tok.encode(text, { allowedSpecial: 'all', addSpecialTokens: false });
}

/** The messages of a single-turn chat: an optional system message, then the user's. */
export function singleTurn(user: string, system?: string): ChatMessage[] {
  if (user === '') throw new LlmfsError('chat: the message is empty');
  const msgs: ChatMessage[] = system !== undefined ? [{ role: 'system', content: system }] : [];
  msgs.push({ role: 'user', content: user });
  return msgs;
}

/** With --chat: the model directory's chat template and stop tokens; checks the flags around it. */
export function chatOf(flags: ParsedFlags, tok: Tokenizer, vocabSize: number): ChatSetup | null {
  if (!flags.chat) {
    for (const f of ['system', 'chat-template'])
      if (flags[f] !== undefined) throw new LlmfsError(`generate: --${f} needs --chat`);
    return null;
  }
  for (const f of ['instruction', 'input', 'template'])
    if (flags[f] !== undefined)
      throw new LlmfsError(
        `generate: --chat uses the model's chat template; --${f} is for instruction templates`,
      );
  if (flags.prompt === undefined || flags.prompt === '')
    throw new LlmfsError('generate: --chat needs the user message as --prompt "..."');
  const dir = String(flags.model);
  const name = flags['chat-template'] as string | undefined;
  return chatSetupOf(requireChatTemplate(dir, 'generate', name), tok, vocabSize);
}
