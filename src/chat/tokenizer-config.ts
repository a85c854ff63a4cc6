// The chat fields of a Hugging Face `tokenizer_config.json` (the transformers library's
// PreTrainedTokenizerBase.save_pretrained writes it): `chat_template` (one Jinja string, or a list
// of {name, template} when a model has several, e.g. "default" and "tool_use"), the special tokens
// (`bos_token`, `eos_token`, ...: a string, or an AddedToken object {"content": ...}) and
// `added_tokens_decoder` (id -> {content, special}). Parsing is portable; reading files is io/'s.

import { LlmfsError } from '../errors.js';
import { parseJson } from '../tokenizer/json-parse.js';

/** The special-token fields transformers passes to a chat template (its special_tokens_map). */
export const SPECIAL_TOKEN_FIELDS = [
  'bos_token',
  'eos_token',
  'unk_token',
  'sep_token',
  'pad_token',
  'cls_token',
  'mask_token',
] as const;
export type SpecialTokenField = (typeof SPECIAL_TOKEN_FIELDS)[number];

export interface ChatTokenizerConfig {
  /** The Jinja source of the chosen chat template, or null when the file has none. */
  chatTemplate: string | null;
  /** Which named template was chosen ('default' unless asked), or null for a single string. */
  templateName: string | null;
  /** The names on offer when chat_template is a list. */
  templateNames: string[];
  /** bos_token, eos_token, ... as text (absent when the file gives none or null). */
  specialTokens: Partial<Record<SpecialTokenField, string>>;
  /** additional_special_tokens, as text. */
  additionalSpecialTokens: string[];
  /** added_tokens_decoder: token text -> id. */
  addedTokens: Map<string, number>;
  /** The file the fields came from, for messages. */
  file: string;
}

/** A special token is a string or an AddedToken object ({"__type": "AddedToken", "content": ...}). */
function tokenText(v: unknown, field: string, file: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as Record<string, unknown>).content === 'string')
    return (v as Record<string, string>).content;
  throw new LlmfsError(`${file}: ${field} must be a string or an object with a "content" string`);
}

/**
 * The template to use from `chat_template`: a string as it is; from a list of {name, template},
 * the one called `name` (default: "default", as transformers picks).
 */
export function pickTemplate(
  raw: unknown,
  file: string,
  name?: string,
): { source: string | null; name: string | null; names: string[] } {
  if (raw === undefined || raw === null) {
    if (name !== undefined) throw new LlmfsError(`${file}: has no chat_template, so none is called ${name}`);
    return { source: null, name: null, names: [] };
  }
  if (typeof raw === 'string') {
    if (name !== undefined && name !== 'default')
      throw new LlmfsError(`${file}: has a single chat_template, not one called ${JSON.stringify(name)}`);
    return { source: raw, name: null, names: [] };
  }
  if (!Array.isArray(raw))
    throw new LlmfsError(`${file}: chat_template must be a string or a list of {"name", "template"}`);
  const named = new Map<string, string>();
  for (const item of raw) {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || typeof o.template !== 'string')
      throw new LlmfsError(`${file}: each chat_template entry needs string fields "name" and "template"`);
    named.set(o.name, o.template);
  }
  const names = [...named.keys()];
  const want = name ?? 'default';
  const source = named.get(want);
  if (source === undefined)
    throw new LlmfsError(
      `${file}: no chat template is called ${JSON.stringify(want)}; it has ${names.join(', ') || 'none'}`,
    );
  return { source, name: want, names };
}

/** Parses tokenizer_config.json's text; `templateName` picks one of several named templates. */
export function parseTokenizerConfig(text: string, file: string, templateName?: string): ChatTokenizerConfig {
  const raw = parseJson(text, file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LlmfsError(`${file}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  const picked = pickTemplate(o.chat_template, file, templateName);
  const specialTokens: Partial<Record<SpecialTokenField, string>> = {};
  for (const f of SPECIAL_TOKEN_FIELDS) {
    const t = tokenText(o[f], f, file);
    if (t !== undefined) specialTokens[f] = t;
  }
  const extra = o.additional_special_tokens ?? [];
  if (!Array.isArray(extra)) throw new LlmfsError(`${file}: additional_special_tokens must be a list`);
  const additionalSpecialTokens = extra.map((t, i) => {
    const s = tokenText(t, `additional_special_tokens[${i}]`, file);
    if (s === undefined) throw new LlmfsError(`${file}: additional_special_tokens[${i}] is null`);
    return s;
  });
  const addedTokens = new Map<string, number>();
  const dec = o.added_tokens_decoder ?? {};
  if (typeof dec !== 'object' || dec === null || Array.isArray(dec))
    throw new LlmfsError(`${file}: added_tokens_decoder must be an object of id -> token`);
  for (const [key, v] of Object.entries(dec as Record<string, unknown>)) {
    const id = Number(key);
    if (!/^\d+$/.test(key) || !Number.isSafeInteger(id))
      throw new LlmfsError(`${file}: added_tokens_decoder key ${JSON.stringify(key)} is not a token id`);
    const content = tokenText(v, `added_tokens_decoder["${key}"]`, file);
    if (content === undefined) throw new LlmfsError(`${file}: added_tokens_decoder["${key}"] is null`);
    if (!addedTokens.has(content)) addedTokens.set(content, id);
  }
  return {
    chatTemplate: picked.source,
    templateName: picked.name,
    templateNames: picked.names,
    specialTokens,
    additionalSpecialTokens,
    addedTokens,
    file,
  };
}
