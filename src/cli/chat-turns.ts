// `llmfs chat` on a model with a chat template (tokenizer_config.json): a real multi-turn
// conversation. Each line is a user message; the whole conversation so far is rendered by the
// model's template (as transformers' apply_chat_template with add_generation_prompt) and the answer
// streams until one of the family's stop tokens. /reset forgets the conversation.

import type { GPT } from '../model/gpt.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { generate } from '../generate/generate.js';
import type { ChatMessage } from '../chat/render.js';
import { encodeChatPrompt, type ChatSetup } from './chat-prompt.js';

export interface TurnSettings {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  seed: number;
  system?: string;
}

/** One conversation: the messages so far, and a method that answers the next user line. */
export class Conversation {
  readonly messages: ChatMessage[] = [];
  private seed: number;

  constructor(
    private readonly model: GPT,
    private readonly tokenizer: Tokenizer,
    private readonly chat: ChatSetup,
    private readonly settings: TurnSettings,
  ) {
    this.seed = settings.seed;
    this.reset();
  }

  reset(): void {
    this.messages.length = 0;
    if (this.settings.system !== undefined)
      this.messages.push({ role: 'system', content: this.settings.system });
  }

  /** The prompt text the model sees for the next answer. */
  prompt(): string {
    return this.chat.template.render(this.messages, { addGenerationPrompt: true });
  }

  /** Answers `line`, streaming text to `onText`; the answer joins the conversation. */
  answer(line: string, onText: (s: string) => void): string {
    this.messages.push({ role: 'user', content: line });
    let text: string;
    try {
      text = this.generate(onText);
    } catch (err) {
      this.messages.pop(); // a failed turn (e.g. the template refuses it) leaves no trace
      throw err;
    }
    this.messages.push({ role: 'assistant', content: text });
    return text;
  }

  private generate(onText: (s: string) => void): string {
    const { temperature, topK, maxNewTokens } = this.settings;
    const stopIds = new Set(this.chat.stop.ids);
    const r = generate(this.model, encodeChatPrompt(this.tokenizer, this.prompt()), {
      strategy: temperature !== undefined || topK !== undefined ? 'sample' : 'greedy',
      temperature,
      topK,
      seed: this.seed++,
      maxNewTokens,
      eosId: this.chat.stop.ids,
      stop: this.chat.stop.texts,
      overflow: 'slide',
      decode: (ids) => this.tokenizer.decode(ids.filter((id) => !stopIds.has(id))),
      onText,
    });
    return r.text;
  }
}
