// Prompt templates for instruction tuning. The default is Stanford Alpaca's (Taori et al., 2023,
// github.com/tatsu-lab/stanford_alpaca, train.py PROMPT_DICT), with the response starting on the
// line after "### Response:" as in alpaca-lora's templates/alpaca.json. A template has two forms:
// one for examples with an `input` (extra context) and one for examples without.

import { LlmfsError } from '../../errors.js';
import { parseJson } from '../../tokenizer/json-parse.js';

/** One instruction example, as in Alpaca's JSON: the task, optional context, the wanted answer. */
export interface InstructionExample {
  instruction: string;
  input?: string;
  output: string;
}

export interface PromptTemplate {
  name: string;
  /** Used when the example has a non-empty `input`; contains {instruction} and {input}. */
  withInput: string;
  /** Used when it has none; contains {instruction}. */
  noInput: string;
}

export const ALPACA: PromptTemplate = {
  name: 'alpaca',
  withInput:
    'Below is an instruction that describes a task, paired with an input that provides further ' +
    'context. Write a response that appropriately completes the request.\n\n' +
    '### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
  noInput:
    'Below is an instruction that describes a task. Write a response that appropriately completes ' +
    'the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n',
};

/** Microsoft's Phi-3 chat format (rasbt's chapter 7 exercise 7.1): shorter prompts, fewer tokens. */
export const PHI3: PromptTemplate = {
  name: 'phi3',
  withInput: '<|user|>\n{instruction}\n{input}\n<|assistant|>\n',
  noInput: '<|user|>\n{instruction}\n<|assistant|>\n',
};

export const NAMED_TEMPLATES: Record<string, PromptTemplate> = { alpaca: ALPACA, phi3: PHI3 };

/** The prompt for one example: the template with {instruction} and {input} filled in. */
export function formatPrompt(t: PromptTemplate, ex: { instruction: string; input?: string }): string {
  const input = ex.input ?? '';
  const form = input.trim() !== '' ? t.withInput : t.noInput;
  // One pass, so text inside the instruction that looks like a placeholder stays as it is.
  return form.replace(/\{(instruction|input)\}/g, (_, k: string) => (k === 'input' ? input : ex.instruction));
}

/** Checks the placeholders of a template read from a file. */
export function makeTemplate(name: string, withInput: string, noInput: string): PromptTemplate {
  if (!withInput.includes('{instruction}') || !noInput.includes('{instruction}'))
    throw new LlmfsError(`template ${name}: it has no {instruction} placeholder`);
  if (!withInput.includes('{input}'))
    throw new LlmfsError(`template ${name}: the form for examples with an input has no {input} placeholder`);
  return { name, withInput, noInput };
}

/**
 * A template from a file's text (`name` is the file, for messages): a JSON file in alpaca-lora's
 * format ({"prompt_input": ..., "prompt_no_input": ...}), or a text file with {instruction} and
 * {input} (for an example without an input, the line holding {input} is dropped). Reading the
 * file is the Node side's (io/prompt-template-file.ts), so this layer stays portable.
 */
export function templateFromText(name: string, text: string): PromptTemplate {
  if (name.endsWith('.json')) {
    const raw = parseJson(text, name) as Record<string, unknown> | null;
    const a = raw?.prompt_input;
    const b = raw?.prompt_no_input;
    if (typeof a !== 'string' || typeof b !== 'string')
      throw new LlmfsError(`template ${name}: needs string fields "prompt_input" and "prompt_no_input"`);
    return makeTemplate(name, a, b);
  }
  const noInput = text
    .split('\n')
    .filter((line) => !line.includes('{input}'))
    .join('\n');
  return makeTemplate(name, text, noInput);
}
