// `llmfs ask --model M image.png "how many circles?" [--beams K] [--overlay out.png]
// [--json]`: a vision-language model trained on questions (`llmfs vision train --task vqa` or
// `mixed`) answers one about a picture. The question must use the scene language's words (an
// unknown word is named) and fit the model's text window; the prompt is [<bos>, question, <sep>]
// as in training (vision/vlm/sequences.ts). A model trained with --describe-first writes what it
// sees, <sep>, then the answer: the answer is printed, the description too on stderr (or in the
// JSON). See vlm-describe.ts for the shared steps.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { DESCRIBE_SPECS, describe } from './vlm-describe.js';
import { splitAnswer } from '../vision/vlm/index.js';

export const ASK_USAGE =
  'llmfs ask --model DIR IMAGE "QUESTION" [--beams K] [--overlay OUT.png] [--json]\n' +
  '       [--on-size-mismatch resize|error]';

export const askCommand: Command = {
  summary: 'answer a question about a picture with a trained vision-language model (--task vqa or mixed)',
  run(argv) {
    const { flags, positionals } = parseArgs('ask', argv, DESCRIBE_SPECS, { positionals: true });
    if (flags.help) {
      console.log(helpText(ASK_USAGE, askCommand.summary, DESCRIBE_SPECS));
      return 0;
    }
    if (positionals.length !== 2)
      throw new LlmfsError(
        `ask: give an image file and a question, got ${positionals.length} arguments ` +
          "(see 'llmfs ask --help')",
      );
    const [image, question] = positionals;
    const r = describe('ask', image, flags, question);
    const { answer, description } = splitAnswer(r.model.tokenizer, r.ids);
    if (flags.json) {
      const { model, ...rest } = r;
      console.log(
        JSON.stringify({ model: model.dir, image, question, answer, description, ...rest, text: undefined }),
      );
      return 0;
    }
    if (description !== undefined) process.stderr.write(`described first: ${description}\n`);
    console.log(answer);
    if (r.overlay) process.stderr.write(`wrote ${r.overlay} (one panel per word)\n`);
    return 0;
  },
};
