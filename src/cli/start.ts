// `llmfs start` (what `npm start` runs): the project's main job. Trains a small char-level GPT
// (the cpu-small preset) on the bundled State of the Union corpus for a few minutes, with the
// progress bar, then prints a sample from it and where the checkpoint and loss curve are.
// Any `llmfs train` flag may be added to change the run (e.g. `npm start -- --steps 200`).

import type { Command } from './command.js';
import { trainFromArgs } from './train.js';
import { generate } from '../generate/generate.js';
import { formatDuration } from '../train/progress.js';

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
          `train --help).`,
      );
      return 0;
    }
    console.log(
      'llm-from-scratch: training a character-level GPT on State of the Union addresses (1790-2021)\n',
    );
    // With --init the model comes from that directory, so the default preset is left out.
    const init = argv.some((a) => a === '--init' || a.startsWith('--init='));
    const defaults = init ? START_DEFAULTS.slice(2) : START_DEFAULTS;
    const r = await trainFromArgs([...defaults, ...argv], (s) => process.stdout.write(s));
    if (!r) return 0;
    const tok = r.tokenizer;
    const prompt = tok.encode('Fellow-Citizens of the Senate and House of Representatives:\n\n');
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
    console.log(
      `\ntrained ${r.steps} steps in ${formatDuration(r.seconds)}: train loss ${r.trainLoss.toFixed(3)}, ` +
        `val loss ${r.valLoss.toFixed(3)} nats/char (${Math.round(r.tokensPerSecond)} chars/s)`,
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
