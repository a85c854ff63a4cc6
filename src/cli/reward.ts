// `llmfs reward --model DIR --instruction I [--input X] --response R [more responses ...]`: the
// score a reward model (from `llmfs finetune reward`) gives each response to one prompt. Only
// differences between scores mean something (the model learned r_chosen - r_rejected), so with
// several responses it also ranks them.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadRewardModel } from '../io/reward-model-dir.js';
import { rewardModelReward } from '../train/align/rewards.js';

const specs = {
  model: { type: 'string', help: "a reward model directory (from 'llmfs finetune reward')" },
  prompt: { type: 'string', help: 'the prompt, used verbatim' },
  instruction: { type: 'string', help: "the instruction, put in the model's template (instead of --prompt)" },
  input: { type: 'string', help: 'extra context for --instruction' },
  response: { type: 'string', help: 'the response to score (more responses may follow as words)' },
  json: { type: 'boolean', help: 'print the scores as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs reward --model DIR (--prompt P | --instruction I [--input X]) --response R ["another response" ...]';

export const rewardCommand: Command = {
  summary: 'score responses with a reward model: llmfs reward --model DIR --prompt P --response R',
  run(argv) {
    const { flags, positionals } = parseArgs('reward', argv, specs, { positionals: true });
    if (flags.help) {
      console.log(helpText(USAGE, rewardCommand.summary, specs));
      return 0;
    }
    if (flags.model === undefined) throw new LlmfsError(`reward: --model is required (usage: ${USAGE})`);
    if ((flags.prompt === undefined) === (flags.instruction === undefined))
      throw new LlmfsError('reward: give either --prompt (verbatim) or --instruction (in the template)');
    if (flags.input !== undefined && flags.instruction === undefined)
      throw new LlmfsError('reward: --input needs --instruction');
    const responses = [...(flags.response !== undefined ? [String(flags.response)] : []), ...positionals];
    if (responses.length === 0) throw new LlmfsError(`reward: give a response to score (usage: ${USAGE})`);
    const { rm, tokenizer, template, info } = loadRewardModel(String(flags.model));
    const ex =
      flags.prompt !== undefined
        ? { prompt: String(flags.prompt) }
        : { instruction: String(flags.instruction), input: flags.input as string | undefined };
    const score = rewardModelReward(rm, tokenizer, template, info.eosId);
    const scores = responses.map((r) => ({ response: r, reward: score(r, ex) }));
    if (flags.json) {
      console.log(JSON.stringify({ scores }, null, 2));
      return 0;
    }
    const ranked = [...scores].sort((a, b) => b.reward - a.reward);
    const w = Math.max(...responses.map((r) => JSON.stringify(r).length));
    for (const s of scores) {
      const rank = scores.length > 1 ? `  #${ranked.indexOf(s) + 1}` : '';
      console.log(`${JSON.stringify(s.response).padEnd(w)}  reward ${s.reward.toFixed(4)}${rank}`);
    }
    return 0;
  },
};
