// Shared by the alignment commands (`llmfs finetune dpo | reward | grpo`, `llmfs reward`): loading
// the starting model with its tokenizer and end-of-text id, the prompt template, encoding
// preference pairs, the LoRA flags, and Ctrl-C that stops after the current step and keeps the
// work (the commands save the model they have, atomically).

import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { applyLora } from '../model/lora-apply.js';
import type { GPT } from '../model/gpt.js';
import type { Tokenizer } from '../tokenizer/types.js';
import type { PromptTemplate } from '../train/instruct/template.js';
import { encodePair, type EncodedPair, type PreferencePair } from '../train/align/pairs.js';
import { readPreferencePairs } from '../data/preferences.js';
import { eosIdOf, templateFor } from './instruct-prompt.js';
import { checkNotRunDir } from './run-dir.js';

export interface StartingModel {
  model: GPT;
  tokenizer: Tokenizer;
  eos: number;
  template: PromptTemplate;
}

/** The model to align, its tokenizer, end-of-text id and template (--template, saved, or Alpaca). */
export function startingModel(cmd: string, dir: string, templateFlag: unknown): StartingModel {
  checkNotRunDir(cmd, dir);
  const { model, tokenizer, eosTokenId } = loadPretrained(dir, { forTraining: cmd });
  if (!tokenizer) throw new LlmfsError(`${cmd}: ${dir} has no tokenizer, so the data cannot be encoded`);
  const eos = eosIdOf(tokenizer, eosTokenId, cmd);
  return { model, tokenizer, eos, template: templateFor(templateFlag as string | undefined, dir) };
}

/** Encodes every pair; errors name the file and the pair's line. */
export function encodePairs(
  s: StartingModel,
  pairs: readonly PreferencePair[],
  file: string,
  maxLen: number,
): EncodedPair[] {
  return pairs.map((p, i) => encodePair(s.tokenizer, s.template, p, s.eos, maxLen, `${file}: pair ${i + 1}`));
}

export const SKIP_SPEC = {
  'skip-identical': {
    type: 'boolean',
    help: 'drop pairs whose chosen and rejected responses are identical (else: an error)',
  },
} as const;

/** Reads a pair file; with --skip-identical, drops identical pairs and says how many. */
export function readPairs(file: string, skip: unknown, log: (line: string) => void): PreferencePair[] {
  let skipped = 0;
  try {
    const pairs = readPreferencePairs(file, { skipIdentical: skip === true, onSkip: () => skipped++ });
    if (skipped > 0) log(`${file}: dropped ${skipped} pair(s) with identical chosen and rejected responses`);
    return pairs;
  } catch (err) {
    if (err instanceof LlmfsError && err.message.includes('identical chosen and rejected'))
      throw new LlmfsError(`${err.message} (--skip-identical drops such pairs)`);
    throw err;
  }
}

export const LORA_SPECS = {
  'lora-r': { type: 'int', help: 'train LoRA adapters of rank R (Hu et al., 2021) instead of every weight' },
  'lora-alpha': { type: 'number', help: 'LoRA scale α (the update is scaled by α/r; default r)' },
} as const;

/** Applies LoRA when --lora-r is given; returns whether it did. */
export function loraFromFlags(cmd: string, model: GPT, flags: Record<string, unknown>): boolean {
  const r = flags['lora-r'] as number | undefined;
  const alpha = flags['lora-alpha'] as number | undefined;
  if (r === undefined) {
    if (alpha !== undefined) throw new LlmfsError(`${cmd}: --lora-alpha needs --lora-r`);
    return false;
  }
  if (r < 1) throw new LlmfsError(`${cmd}: --lora-r must be a positive integer, got ${r}`);
  applyLora(model, { r, ...(alpha !== undefined ? { alpha } : {}) });
  return true;
}

/** Checks flags that must be given. */
export function need(
  cmd: string,
  flags: Record<string, unknown>,
  names: readonly string[],
  usage: string,
): void {
  for (const f of names)
    if (flags[f] === undefined) throw new LlmfsError(`${cmd}: --${f} is required (usage: ${usage})`);
}

/** Checks that integer flags are >= min. */
export function atLeast(
  cmd: string,
  flags: Record<string, unknown>,
  names: readonly string[],
  min = 1,
): void {
  for (const f of names) {
    const v = flags[f] as number | undefined;
    if (v !== undefined && !(v >= min)) throw new LlmfsError(`${cmd}: --${f} must be >= ${min}, got ${v}`);
  }
}

/**
 * Ctrl-C (or SIGTERM) aborts the returned signal: the loop ends after the current step and the
 * command saves what it has. A second Ctrl-C quits at once (saves are atomic: nothing half-written).
 */
export function stopOnSignal(progress: (line: string) => void): { signal: AbortSignal; done(): void } {
  const stop = new AbortController();
  const on = (sig: string) => {
    process.removeListener('SIGINT', on);
    process.removeListener('SIGTERM', on);
    progress(`\n${sig}: stopping after this step to save the model (Ctrl-C again quits at once)`);
    stop.abort();
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: stop.signal,
    done() {
      process.removeListener('SIGINT', on);
      process.removeListener('SIGTERM', on);
    },
  };
}

type Runner = (
  argv: string[],
  out: (line: string) => void,
  progress: (line: string) => void,
) => Promise<number>;

/** A `llmfs finetune` sub-command: results to stdout, progress to stderr. */
export function subCommand(
  about: string,
  run: Runner,
): { about: string; run(argv: string[]): Promise<number> } {
  return {
    about,
    run: (argv) =>
      run(
        argv,
        (s) => console.log(s),
        (s) => console.error(s),
      ),
  };
}

/** The --json summary at the end of a command. */
export function printJson(out: (line: string) => void, summary: Record<string, unknown>): void {
  out(JSON.stringify(summary, null, 2));
}
