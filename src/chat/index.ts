// Chat templates (Hugging Face tokenizer_config.json): parse the config, render messages with the
// model's Jinja template, find the tokens that end an assistant turn.

export {
  parseTokenizerConfig,
  pickTemplate,
  SPECIAL_TOKEN_FIELDS,
  type ChatTokenizerConfig,
  type SpecialTokenField,
} from './tokenizer-config.js';
export {
  ChatTemplate,
  chatTemplateOf,
  type ChatMessage,
  type ChatRole,
  type RenderOptions,
} from './render.js';
export {
  stopTokensOf,
  eosIdsOf,
  type StopTokens,
  type StopTokenSources,
  type IdDecoder,
} from './stop-tokens.js';
