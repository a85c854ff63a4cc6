// `llmfs export --format gguf --model M --out FILE.gguf [--quant f32|f16|q8_0|q4_0]`: writes a
// model directory (ours or Hugging Face GPT-2) as one GGUF file that llama.cpp and Ollama run
// (io/gguf/). Thin over exportGguf.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { exportGguf } from '../io/gguf/export-gguf.js';
import { GGUF_QUANTS, type GgufQuant } from '../io/gguf/gpt2-gguf.js';

const specs = {
  format: { type: 'string', help: 'the file format to write', choices: ['gguf'] },
  model: { type: 'string', help: 'a model directory: our checkpoint or a Hugging Face GPT-2 directory' },
  out: { type: 'string', help: 'the file to write, e.g. model.gguf' },
  quant: {
    type: 'string',
    help: 'number format of the weight matrices',
    choices: GGUF_QUANTS,
    default: 'f32',
  },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE = 'llmfs export --format gguf --model DIR --out FILE.gguf [--quant f32|f16|q8_0|q4_0]';

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;

export const exportCommand: Command = {
  summary:
    'write a model as a GGUF file for llama.cpp / Ollama: llmfs export --format gguf --model DIR --out F',
  run(argv) {
    const { flags } = parseArgs('export', argv, specs);
    if (flags.help) {
      console.log(helpText(USAGE, exportCommand.summary, specs));
      return 0;
    }
    if (flags.format === undefined) throw new LlmfsError(`export: --format is required (usage: ${USAGE})`);
    if (flags.model === undefined) throw new LlmfsError(`export: --model is required (usage: ${USAGE})`);
    if (flags.out === undefined) throw new LlmfsError(`export: --out is required (usage: ${USAGE})`);
    const r = exportGguf(String(flags.model), String(flags.out), (flags.quant ?? 'f32') as GgufQuant);
    console.log(`wrote ${r.path}: ${r.tensors} tensors, ${r.quant}, ${mib(r.bytes)}`);
    if (r.fellBack.length > 0)
      console.log(
        `  ${r.fellBack.length} matrices have rows that are not whole 32-value blocks and are f16: ` +
          r.fellBack.join(', '),
      );
    if (r.padded > 0) console.log(`  ${r.padded} unused vocabulary ids written as [PADn] tokens`);
    if (r.eosTokenId === null)
      console.log('  the tokenizer has no <|endoftext|>: llama.cpp will take token 11 as end of text');
    console.log(`run it: llama-cli -m ${r.path} -p "Once upon a time" -n 50`);
    return 0;
  },
};
