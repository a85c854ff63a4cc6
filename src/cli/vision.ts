// `llmfs vision ...`: the vision sub-commands (issue 20). For now `vision data`, the scene
// generator; each sub-command lives in its own file (vision-data.ts).

import type { Command } from './command.js';
import { LlmfsError } from '../errors.js';
import { VISION_DATA_USAGE, runVisionData } from './vision-data.js';

export const visionCommand: Command = {
  summary: 'images: `vision data` writes generated scenes (PNG) with captions, questions and labels (JSONL)',
  run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      console.log(`usage: ${VISION_DATA_USAGE}\n\n${visionCommand.summary}`);
      return 0;
    }
    if (sub === 'data') return runVisionData(rest);
    throw new LlmfsError(`vision: unknown sub-command '${sub}' (known: data)`);
  },
};
