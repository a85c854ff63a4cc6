// `llmfs start` (what `npm start` runs): the project's main job. Trains a small char-level GPT
// (the cpu-small preset) on the bundled State of the Union corpus for a few minutes, with the
// progress bar, then prints a sample from it and where the checkpoint and loss curve are.
// Any `llmfs train` flag may be added to change the run (e.g. `npm start -- --steps 200`). It
// starts afresh each time, replacing an earlier out/start (and says so); `npm start -- --resume`
// continues it instead, and Ctrl-C saves a checkpoint to continue from.

import type { Command } from './command.js';
import { trainFromArgs, finishedMessage, signalExitCode, shellWord } from './train.js';
import { generate } from '../generate/generate.js';
import { formatDuration } from '../train/progress.js';
import type { Tokenizer } from '../tokenizer/types.js';

export const START_DEFAULTS = [
  '--preset',
  'cpu-small',
  '--steps',
  '1200',
  '--eval-interval',
  '200',
  '--lr',
  '2e-3',
  '--out',
  'out/start',
];

export const startCommand: Command = {
  summary: 'the main job: train a small char-level GPT on the bundled corpus, then sample from it',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(
        `usage: llmfs start [train options]\n\n${startCommand.summary}.\nIt runs: llmfs train ` +
          `${START_DEFAULTS.join(' ')}\nthen prints a sample; any train option overrides these (see llmfs ` +
          `train --help).\nEach run starts afresh, replacing the earlier one in --out; --resume ` +
          `continues it (Ctrl-C saves a checkpoint to continue from).`,
      );
      return 0;
    }
    console.log(
      'llm-from-scratch: training a character-level GPT on State of the Union addresses (1790-2021)\n',
    );
    const has = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
    const out = START_DEFAULTS.slice(-2);
    // With --init the model comes from that directory, so the default preset is left out; with
    // --resume every setting comes from the saved run (only --out is needed).
    const defaults = has('--resume')
      ? out
      : [
          ...(has('--init') ? START_DEFAULTS.slice(2) : START_DEFAULTS),
          ...(has('--force') ? [] : ['--force']),
        ];
    const resumeCommand = (dir: string) =>
      `npm start -- --resume${dir === out[1] ? '' : ` --out ${shellWord(dir)}`}`;
    const r = await trainFromArgs([...defaults, ...argv], {
      write: (s) => process.stdout.write(s),
      tty: process.stdout.isTTY === true,
      resumeCommand,
    });
    if (!r) return 0;
    if (r.signal) return signalExitCode(r.signal);
    if (r.finished) {
      console.log(finishedMessage(r, resumeCommand));
      return 0;
    }
    const tok = r.tokenizer;
    const prompt = samplePrompt(tok, 'Fellow-Citizens of the Senate and House of Representatives:\n\n');
    r.model.eval();
    const sample = generate(r.model, prompt, {
      maxNewTokens: Math.min(400, r.model.config.blockSize * 8),
      strategy: 'sample',
      temperature: 0.8,
      topK: 40,
      seed: 1,
      overflow: 'slide',
      decode: (ids) => tok.decode(ids),
    });
    const val = Number.isNaN(r.valLoss) ? '' : `, val loss ${r.valLoss.toFixed(3)}`;
    console.log(
      `\ntrained ${r.steps} steps in ${formatDuration(r.seconds)}: train loss ${r.trainLoss.toFixed(3)}` +
        `${val} nats/char (${Math.round(r.tokensPerSecond)} chars/s)`,
    );
    console.log('\n--- a sample (temperature 0.8, top-k 40) ---');
    console.log(tok.decode(prompt) + sample.text);
    console.log('---\n');
    console.log(`checkpoint: ${r.checkpoint}`);
    console.log(`loss curve: ${r.curve}`);
    console.log(
      `generate more: npx llmfs generate --model ${r.checkpoint} --prompt "The" --strategy sample ` +
        `--temperature 0.8`,
    );
    return 0;
  },
};

/**
 * The sample's prompt in this tokenizer: characters it cannot encode (a char vocabulary built from
 * other data than the default corpus) are left out, and an empty result starts from token 0.
 */
export function samplePrompt(tok: Tokenizer, text: string): number[] {
  const encodes = (s: string): boolean => {
    try {
      tok.encode(s);
      return true;
    } catch {
      return false;
    }
  };
  const kept = encodes(text) ? text : [...text].filter(encodes).join('');
  const ids = kept.length > 0 ? tok.encode(kept) : [];
  return ids.length > 0 ? ids : [0];
}
