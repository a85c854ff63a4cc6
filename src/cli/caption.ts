// `llmfs caption --model M image.png [--beams K] [--overlay out.png] [--json]`: a trained
// vision-language model (`llmfs vision train --task caption`) describes a picture in the scene
// language ("a large red circle at the top left"). The image goes through the one door every image
// command uses; decoding is the model's generate (vlm-describe.ts). --overlay draws, for each word,
// where in the image its attention went.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { DESCRIBE_SPECS, describe } from './vlm-describe.js';

export const CAPTION_USAGE =
  'llmfs caption --model DIR IMAGE [--beams K] [--overlay OUT.png] [--json]\n' +
  '       [--on-size-mismatch resize|error]';

export const captionCommand: Command = {
  summary: 'describe a picture with a trained vision-language model (`llmfs vision train --task caption`)',
  run(argv) {
    const { flags, positionals } = parseArgs('caption', argv, DESCRIBE_SPECS, { positionals: true });
    if (flags.help) {
      console.log(helpText(CAPTION_USAGE, captionCommand.summary, DESCRIBE_SPECS));
      return 0;
    }
    if (positionals.length !== 1)
      throw new LlmfsError(
        `caption: give one image file, got ${positionals.length} (see 'llmfs caption --help')`,
      );
    const image = positionals[0];
    const r = describe('caption', image, flags);
    if (flags.json) {
      const { model, ...rest } = r;
      console.log(JSON.stringify({ model: model.dir, image, caption: r.text, ...rest, text: undefined }));
      return 0;
    }
    console.log(r.text);
    if (r.overlay) process.stderr.write(`wrote ${r.overlay} (one panel per word)\n`);
    return 0;
  },
};
