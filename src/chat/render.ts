// Applying a model's chat template: a Jinja program that turns a list of messages into the one
// string the model was tuned on, as transformers' apply_chat_template(tokenize=False) does. The
// engine is @huggingface/jinja (a Jinja subset written for exactly these templates, run with
// trim_blocks and lstrip_blocks as transformers sets them); the variables it sees are transformers':
// messages, add_generation_prompt, the special tokens (bos_token, eos_token, ...) and raise_exception.

import { Template } from '@huggingface/jinja';
import { LlmfsError } from '../errors.js';
import type { ChatTokenizerConfig } from './tokenizer-config.js';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface RenderOptions {
  /** End with the header of an assistant turn, so the model writes the answer (default true). */
  addGenerationPrompt?: boolean;
}

/** Jinja's message on one line: the template's own raise_exception text, or a parse error. */
function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}

/** A parsed chat template; parse errors surface here, once, naming the file. */
export class ChatTemplate {
  private readonly program: Template;

  constructor(
    readonly source: string,
    /** Where it came from (a tokenizer_config.json or chat_template.jinja path), for messages. */
    readonly file: string,
    /** The variables every render gets: bos_token, eos_token, ... */
    private readonly globals: Readonly<Record<string, unknown>> = {},
  ) {
    try {
      this.program = new Template(source);
    } catch (err) {
      throw new LlmfsError(`chat template in ${file} does not parse: ${oneLine(err)}`);
    }
  }

  /** The prompt text for `messages` (not yet tokens: special tokens are still written as text). */
  render(messages: readonly ChatMessage[], opts: RenderOptions = {}): string {
    if (messages.length === 0) throw new LlmfsError('chat template: there are no messages to render');
    let out: unknown;
    try {
      out = this.program.render({
        ...this.globals,
        // transformers passes these as None: defined, but none (templates test `tools is not none`).
        tools: null,
        documents: null,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: opts.addGenerationPrompt ?? true,
      });
    } catch (err) {
      throw new LlmfsError(`chat template in ${this.file} failed: ${oneLine(err)}`);
    }
    if (typeof out !== 'string') throw new LlmfsError(`chat template in ${this.file} did not render text`);
    return out;
  }
}

/** The template of a tokenizer_config.json, with its special tokens as the template's variables. */
export function chatTemplateOf(
  cfg: ChatTokenizerConfig,
  source = cfg.chatTemplate,
  file = cfg.file,
): ChatTemplate {
  if (source === null) throw new LlmfsError(`${file}: has no chat_template`);
  // transformers' special_tokens_map: the tokens that are set, and the extra list when not empty.
  const globals: Record<string, unknown> = { ...cfg.specialTokens };
  if (cfg.additionalSpecialTokens.length > 0) globals.additional_special_tokens = cfg.additionalSpecialTokens;
  return new ChatTemplate(source, file, globals);
}
