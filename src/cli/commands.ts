// The registry of sub-commands. Each lives in its own file and is listed here once.

export interface Command {
  /** One line for `llmfs --help`. */
  summary: string;
  /** Runs the command; returns the process exit code (0 when omitted). */
  run(argv: string[]): Promise<number | void> | number | void;
}

import { infoCommand } from './info.js';
import { startCommand } from './start.js';
import { modelCommand } from './model.js';
import { trainCommand } from './train.js';
import { generateCommand } from './generate.js';
import { tokenizeCommand, tokenizerCommand } from './tokenizer.js';
import { evalCommand } from './eval.js';

export const commands: Record<string, Command> = {
  start: startCommand,
  info: infoCommand,
  model: modelCommand,
  train: trainCommand,
  generate: generateCommand,
  tokenize: tokenizeCommand,
  tokenizer: tokenizerCommand,
  eval: evalCommand,
};
