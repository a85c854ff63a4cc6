// `llmfs finetune`: adapting a pretrained model (chapter 11). Each sub-command lives in its own
// file: classify (a classification head), instruct (instruction tuning, loss on the response
// only), merge (fold a LoRA adapter into the weights and write a plain HF GPT-2 directory); and
// alignment (chapter 12): dpo (preference pairs), reward (a reward model), grpo (RL with GRPO).

import type { Command } from './command.js';
import { LlmfsError } from '../errors.js';
import { finetuneClassify } from './finetune-classify.js';
import { finetuneInstruct } from './finetune-instruct.js';
import { finetuneMerge } from './finetune-merge.js';
import { finetuneDpo } from './finetune-dpo.js';
import { finetuneReward } from './finetune-reward.js';
import { finetuneGrpo } from './finetune-grpo.js';

const SUBS: Record<string, { about: string; run(argv: string[]): Promise<number> | number }> = {
  classify: finetuneClassify,
  instruct: finetuneInstruct,
  merge: finetuneMerge,
  dpo: finetuneDpo,
  reward: finetuneReward,
  grpo: finetuneGrpo,
};

export const finetuneCommand: Command = {
  summary: 'fine-tune a model: llmfs finetune classify | instruct | merge | dpo | reward | grpo',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      const w = Math.max(...Object.keys(SUBS).map((s) => s.length)) + 2;
      const lines = Object.entries(SUBS).map(([n, s]) => `  ${n}${' '.repeat(w - n.length)}${s.about}`);
      console.log(`usage: llmfs finetune <sub-command> [options]\n\nsub-commands:\n${lines.join('\n')}`);
      return 0;
    }
    const s = SUBS[sub];
    if (!s)
      throw new LlmfsError(
        `finetune: unknown sub-command '${sub}' (one of: ${Object.keys(SUBS).join(', ')})`,
      );
    return s.run(rest);
  },
};
