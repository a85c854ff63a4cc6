// `llmfs vision ...`: the vision sub-commands (issue 20): `vision data` (the scene generator),
// `vision train` (a ViT classifier, or with --task caption|vqa|mixed a vision-language model:
// vision-train-vlm.ts) and `vision eval` (its accuracy; vision-eval-vlm.ts for a VLM).

import type { Command } from './command.js';
import { LlmfsError } from '../errors.js';
import { VISION_DATA_USAGE, runVisionData } from './vision-data.js';
import { VISION_TRAIN_USAGE, runVisionTrain } from './vision-train.js';
import { VISION_EVAL_USAGE, runVisionEval } from './vision-eval.js';

const SUBCOMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = {
  data: runVisionData,
  train: runVisionTrain,
  eval: runVisionEval,
};

export const visionCommand: Command = {
  summary:
    'images: `vision data` writes generated scenes; `vision train` / `vision eval` a ViT classifier ' +
    'or a vision-language model (captions, questions)',
  run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      const usage = [VISION_DATA_USAGE, VISION_TRAIN_USAGE, VISION_EVAL_USAGE];
      console.log(`usage: ${usage.join('\n       ')}\n\n${visionCommand.summary}`);
      return 0;
    }
    const run = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
    if (!run)
      throw new LlmfsError(
        `vision: unknown sub-command '${sub}' (known: ${Object.keys(SUBCOMMANDS).join(', ')})`,
      );
    return run(rest);
  },
};
