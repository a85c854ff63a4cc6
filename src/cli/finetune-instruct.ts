// `llmfs finetune instruct` (being built for issue 14).

import { LlmfsError } from '../errors.js';

export const finetuneInstruct = {
  about: '(being built)',
  run(_argv: string[]): number {
    throw new LlmfsError('finetune instruct: not built yet');
  },
};
