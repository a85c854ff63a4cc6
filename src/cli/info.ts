// `llmfs info`: what this installation is: version, Node, and the active kernel backend.

import type { Command } from './command.js';
import { VERSION } from '../version.js';
import { getBackend } from '../kernels/backend.js';
import { parseArgs, helpText } from './args.js';

const specs = { help: { type: 'boolean', help: 'show this help' } } as const;

export const infoCommand: Command = {
  summary: 'print the version, the Node runtime and the active kernel backend',
  run(argv) {
    const { flags } = parseArgs('info', argv, specs);
    if (flags.help) {
      console.log(helpText('llmfs info', infoCommand.summary, specs));
      return 0;
    }
    console.log(`llmfs ${VERSION}`);
    console.log(`node ${process.versions.node}`);
    console.log(`kernel backend: ${getBackend().name}`);
    return 0;
  },
};
