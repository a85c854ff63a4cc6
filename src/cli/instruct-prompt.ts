// Shared by `llmfs generate --template`, `llmfs chat` and `llmfs finetune instruct`: which prompt
// template to use (the --template flag, else the one saved beside a fine-tuned model, else
// Alpaca's), the prompt text for an instruction, and the model's end-of-text id.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { ALPACA, formatPrompt, type PromptTemplate } from '../train/instruct/template.js';
import { loadTemplate } from '../io/prompt-template-file.js';
import type { ScoreReport } from '../train/instruct/score.js';

/** The file `finetune instruct` writes beside the weights (alpaca-lora's template format). */
export const TEMPLATE_FILE = 'prompt_template.json';

export function templateJson(t: PromptTemplate): string {
  const o = {
    description: `llmfs template '${t.name}'`,
    prompt_input: t.withInput,
    prompt_no_input: t.noInput,
  };
  return `${JSON.stringify(o, null, 2)}\n`;
}

/** --template if given; else the model directory's prompt_template.json; else Alpaca's. */
export function templateFor(flag: string | undefined, modelDir: string): PromptTemplate {
  if (flag !== undefined) return loadTemplate(flag);
  const saved = join(modelDir, TEMPLATE_FILE);
  return existsSync(saved) ? loadTemplate(saved) : ALPACA;
}

/** The end-of-text id that ends a response: <|endoftext|>, or the model's configured one. */
export function eosIdOf(tok: Tokenizer, configured: number | null, cmd: string): number {
  const id = tok instanceof BpeTokenizer ? tok.specialTokens['<|endoftext|>'] : undefined;
  if (id !== undefined) return id;
  if (configured !== null) return configured;
  throw new LlmfsError(
    `${cmd}: the tokenizer has no <|endoftext|> token to end a response; use a BPE model ` +
      "(e.g. 'npm run pretrain-base' or a GPT-2 directory)",
  );
}

/**
 * For `llmfs generate`: the prompt text from --template/--instruction/--input, or undefined when
 * none of them is given (then --prompt is used as before).
 */
export function instructionPrompt(
  flags: { template?: unknown; instruction?: unknown; input?: unknown; prompt?: unknown },
  modelDir: string,
): string | undefined {
  const { template, instruction, input, prompt } = flags;
  if (template === undefined && instruction === undefined && input === undefined) return undefined;
  if (instruction === undefined)
    throw new LlmfsError('generate: --template and --input need --instruction "..." (the task to do)');
  if (prompt !== undefined)
    throw new LlmfsError(
      'generate: give either --prompt or --instruction (which fills a template), not both',
    );
  const t = templateFor(template as string | undefined, modelDir);
  return formatPrompt(t, { instruction: String(instruction), input: input as string | undefined });
}

/** "exact match before: reverse 0.0%, ..., overall 25.7%": a score report on one line. */
export function scoreLine(label: string, r: ScoreReport): string {
  const cells = [...r.perTask, r.overall].map((s) => `${s.task} ${(100 * s.accuracy).toFixed(1)}%`);
  return `${label}: ${cells.join(', ')}`;
}
