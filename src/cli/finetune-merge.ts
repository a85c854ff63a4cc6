// `llmfs finetune merge` (being built for issue 14).

import { LlmfsError } from '../errors.js';

export const finetuneMerge = {
  about: '(being built)',
  run(_argv: string[]): number {
    throw new LlmfsError('finetune merge: not built yet');
  },
};
