// `llmfs export --format gguf --model M --out FILE.gguf [--quant f32|f16|q8_0|q4_0]`: writes a
// model directory (ours or Hugging Face GPT-2) as one GGUF file that llama.cpp and Ollama run
// (io/gguf/). Thin over exportGguf. `--format hf --out DIR [--shard-mb N]` writes a Hugging Face
// directory instead: GPT-2's layout, or the Llama family's (RoPE, RMSNorm, SwiGLU), sharded with an
// index above N MiB.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { exportGguf } from '../io/gguf/export-gguf.js';
import { GGUF_QUANTS, type GgufQuant } from '../io/gguf/gpt2-gguf.js';
import { isLlamaLayout, loadPretrained, saveHfGpt2 } from '../io/load-pretrained.js';
import { saveHfLlamaDir } from '../io/hf-llama-dir.js';
import { llamaFamilyOf, HF_LLAMA_FAMILIES } from '../io/hf-llama-config.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';

const specs = {
  format: {
    type: 'string',
    help: 'gguf (one file), or hf (a Hugging Face directory: GPT-2 or Llama-family layout)',
    choices: ['gguf', 'hf'],
  },
  model: { type: 'string', help: 'a model directory: our checkpoint or a Hugging Face GPT-2 directory' },
  out: { type: 'string', help: 'the file to write, e.g. model.gguf' },
  quant: {
    type: 'string',
    help: 'number format of the weight matrices',
    choices: GGUF_QUANTS,
    default: 'f32',
  },
  'shard-mb': { type: 'number', help: 'hf: split the weights into shards of at most N MiB, with an index' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs export --format gguf --model DIR --out FILE.gguf [--quant f32|f16|q8_0|q4_0] | ' +
  '--format hf --model DIR --out DIR [--shard-mb N]';

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
    if (flags.format === 'hf')
      return exportHf(String(flags.model), String(flags.out), flags['shard-mb'] as number | undefined);
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

/** --format hf: the model's own Hugging Face layout; only the GPT-2 layout carries its tokenizer. */
function exportHf(dir: string, out: string, shardMb: number | undefined): number {
  if (shardMb !== undefined && !(shardMb > 0))
    throw new LlmfsError(`export: --shard-mb must be > 0, got ${shardMb}`);
  const { model, tokenizer } = loadPretrained(dir);
  if (isLlamaLayout(model)) {
    const maxShardBytes = shardMb === undefined ? 0 : shardMb * 2 ** 20;
    const written = saveHfLlamaDir(out, model, { maxShardBytes });
    console.log(`wrote ${HF_LLAMA_FAMILIES[llamaFamilyOf(model.config)]} to ${out}: ${written.join(', ')}`);
    return 0;
  }
  if (shardMb !== undefined) throw new LlmfsError('export: --shard-mb is for Llama-family layouts only');
  const hfTok = tokenizer instanceof BpeTokenizer && tokenizer.pretokenizer.type === 'gpt2';
  const written = saveHfGpt2(out, model, hfTok ? tokenizer : null);
  console.log(`wrote GPT2LMHeadModel to ${out}: ${written.join(', ')}`);
  return 0;
}
