// `llmfs finetune classify` (being built for issue 14).

import { LlmfsError } from '../errors.js';

export const finetuneClassify = {
  about: '(being built)',
  run(_argv: string[]): number {
    throw new LlmfsError('finetune classify: not built yet');
  },
};
