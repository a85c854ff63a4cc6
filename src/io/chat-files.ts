// A model directory's chat files (Node): tokenizer_config.json (chat_template, special tokens,
// added tokens), chat_template.jinja (newer transformers save the template there, and it wins over
// the config's), generation_config.json and config.json (eos_token_id lists). See src/chat/.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import { fsReason } from './atomic-write.js';
import { parseJson } from '../tokenizer/json-parse.js';
import { parseTokenizerConfig, type ChatTokenizerConfig } from '../chat/tokenizer-config.js';
import { chatTemplateOf, type ChatTemplate } from '../chat/render.js';
import { stopTokensOf, type IdDecoder, type StopTokens } from '../chat/stop-tokens.js';

export const TOKENIZER_CONFIG = 'tokenizer_config.json';
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

export interface ChatFiles {
  config: ChatTokenizerConfig;
  /** The parsed template, or null when the directory has none. */
  template: ChatTemplate | null;
  generationConfig?: { json: unknown; file: string };
  modelConfig?: { json: unknown; file: string };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new LlmfsError(`${path}: cannot read (${fsReason(err)})`);
  }
}

function jsonIfThere(path: string): { json: unknown; file: string } | undefined {
  return existsSync(path) ? { json: parseJson(readText(path), path), file: path } : undefined;
}

/** The directory's chat files; null when it has neither tokenizer_config.json nor chat_template.jinja. */
export function readChatFiles(dir: string, templateName?: string): ChatFiles | null {
  const cfgPath = join(dir, TOKENIZER_CONFIG);
  const jinjaPath = join(dir, CHAT_TEMPLATE_FILE);
  const hasCfg = existsSync(cfgPath);
  const hasJinja = existsSync(jinjaPath);
  if (!hasCfg && !hasJinja) return null;
  const useJinja = hasJinja && templateName === undefined;
  const config = hasCfg
    ? parseTokenizerConfig(readText(cfgPath), cfgPath, useJinja ? undefined : templateName)
    : parseTokenizerConfig('{}', cfgPath);
  let template: ChatTemplate | null = null;
  if (useJinja) template = chatTemplateOf(config, readText(jinjaPath), jinjaPath);
  else if (config.chatTemplate !== null) template = chatTemplateOf(config);
  return {
    config,
    template,
    generationConfig: jsonIfThere(join(dir, 'generation_config.json')),
    modelConfig: jsonIfThere(join(dir, 'config.json')),
  };
}

/** The chat template a command needs (`cmd` names it in the message when there is none). */
export function requireChatTemplate(
  dir: string,
  cmd: string,
  templateName?: string,
): ChatFiles & { template: ChatTemplate } {
  const files = readChatFiles(dir, templateName);
  if (files === null || files.template === null)
    throw new LlmfsError(
      `${cmd}: ${dir} has no chat template (no chat_template in ${TOKENIZER_CONFIG}, no ` +
        `${CHAT_TEMPLATE_FILE}); give a model tuned for chat, or drop --chat`,
    );
  return files as ChatFiles & { template: ChatTemplate };
}

/** The stop tokens for `files` with this tokenizer and model vocabulary. */
export function chatStopTokens(
  files: ChatFiles,
  tokenizer: IdDecoder | null,
  vocabSize: number,
  specialIds?: Record<string, number>,
): StopTokens {
  return stopTokensOf({
    tokenizerConfig: files.config,
    generationConfig: files.generationConfig,
    modelConfig: files.modelConfig,
    tokenizer,
    specialIds,
    vocabSize,
  });
}
