// The registry of sub-commands. Each lives in its own file and is listed here once.

import type { Command } from './command.js';
import { infoCommand } from './info.js';
import { startCommand } from './start.js';
import { modelCommand } from './model.js';
import { trainCommand } from './train.js';
import { generateCommand } from './generate.js';
import { tokenizeCommand } from './tokenize-text.js';
import { tokenizerCommand } from './tokenizer-train.js';
import { evalCommand } from './eval.js';
import { exerciseCommand } from './exercise.js';
import { finetuneCommand } from './finetune.js';
import { classifyCommand } from './classify.js';
import { rewardCommand } from './reward.js';
import { chatCommand } from './chat.js';
import { quantizeCommand } from './quantize.js';
import { exportCommand } from './export.js';
import { pruneCommand } from './prune.js';
import { diagnoseCommand } from './diagnose.js';
import { inspectCommand } from './inspect.js';
import { compareCommand, experimentCommand } from './compare.js';
import { visionCommand } from './vision.js';
import { captionCommand } from './caption.js';
import { askCommand } from './ask.js';
import { parallelCommand } from './parallel.js';

export const commands: Record<string, Command> = {
  start: startCommand,
  info: infoCommand,
  model: modelCommand,
  train: trainCommand,
  generate: generateCommand,
  tokenize: tokenizeCommand,
  tokenizer: tokenizerCommand,
  eval: evalCommand,
  exercise: exerciseCommand,
  finetune: finetuneCommand,
  classify: classifyCommand,
  reward: rewardCommand,
  chat: chatCommand,
  quantize: quantizeCommand,
  export: exportCommand,
  prune: pruneCommand,
  diagnose: diagnoseCommand,
  inspect: inspectCommand,
  compare: compareCommand,
  parallel: parallelCommand,
  experiment: experimentCommand,
  vision: visionCommand,
  caption: captionCommand,
  ask: askCommand,
};
