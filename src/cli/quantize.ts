// `llmfs quantize --model M --out Q --bits 8|4 [--group 32] [--zero-point]`: stores a model's
// Linear weights and token table as int8 (one scale per row) or int4 (one scale per group of G
// columns), writing an ordinary checkpoint directory in the quantized layout (io/quant-layout.ts)
// that generate, eval, chat and export read like any other. With --data it also reports the
// held-out perplexity before and after, so the price of the smaller file is on the screen.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { saveModel, TOKENIZER_FILE, TRAINING_STATE_FILE } from '../io/model-checkpoint.js';
import { OPTIMIZER_STATE_FILE } from '../io/training-run.js';
import { checkOutputDir } from '../io/tokenizer-files.js';
import { CONFIG_FILE, WEIGHTS_FILE } from '../io/checkpoint-dir.js';
import { quantizeModel } from '../quant/quantize-model.js';
import { Linear } from '../nn/layers.js';
import type { Module } from '../nn/module.js';
import { evaluateText, gptLogits } from '../eval/perplexity.js';
import { readTextSource } from '../io/text-data.js';
import { checkNotRunDir } from './run-dir.js';
import type { GPT } from '../model/gpt.js';
import type { Tokenizer } from '../tokenizer/types.js';

const specs = {
  model: { type: 'string', help: 'the float model: our checkpoint or a Hugging Face GPT-2 directory' },
  out: { type: 'string', help: 'where to write the quantized checkpoint (a new directory)' },
  bits: { type: 'int', help: '8 (per-row absmax int8) or 4 (group-wise int4)', default: 8 },
  group: { type: 'int', help: 'int4: weights per scale group; must divide every layer width (default 32)' },
  'zero-point': { type: 'boolean', help: 'int4: asymmetric groups with a zero point' },
  embedding: {
    type: 'boolean',
    help: 'also quantize the embedding tables (the token table also serves a tied output head)',
    default: true,
  },
  data: { type: 'string', help: 'a text file: report held-out perplexity before and after' },
  json: { type: 'boolean', help: 'print the report as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE = 'llmfs quantize --model DIR --out DIR [--bits 8|4] [--group G] [--zero-point] [--data FILE]';

function fileBytes(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/** Every width a group must divide: the in-features of each Linear (and C for the tables). */
function checkGroup(model: Module, G: number, embedding: boolean, C: number): void {
  const walk = (m: Module, prefix: string): void => {
    for (const [key, child] of m.namedChildren()) {
      if (child instanceof Linear && child.inFeatures % G !== 0)
        throw new LlmfsError(
          `quantize: --group ${G} does not divide the width ${child.inFeatures} of ${prefix}${key}; ` +
            'choose a group that divides every layer width',
        );
      walk(child, `${prefix}${key}.`);
    }
  };
  walk(model, '');
  if (embedding && C % G !== 0)
    throw new LlmfsError(`quantize: --group ${G} does not divide the embedding width ${C}`);
}

/**
 * The other files of one of our checkpoints (a prompt template, a classifier's or reward model's
 * head), carried into the quantized directory so it still works where the float one did. Training
 * state is left behind: a quantized checkpoint does not resume training.
 */
function sidecarFiles(dir: string, format: string): Record<string, Uint8Array> {
  if (format !== 'llmfs') return {};
  const skip = new Set([
    WEIGHTS_FILE,
    CONFIG_FILE,
    TOKENIZER_FILE,
    TRAINING_STATE_FILE,
    OPTIMIZER_STATE_FILE,
  ]);
  const out: Record<string, Uint8Array> = {};
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isFile() && !skip.has(e.name) && !e.name.startsWith('.'))
      out[e.name] = readFileSync(join(dir, e.name));
  return out;
}

function perplexity(model: GPT, tok: Tokenizer, text: string): number {
  return evaluateText(gptLogits(model), tok, text, { batchSize: 4 }).perplexity;
}

export const quantizeCommand: Command = {
  summary: 'store a model in int8 or int4 (quantized checkpoint), with size and perplexity before/after',
  run(argv) {
    const { flags, given } = parseArgs('quantize', argv, specs);
    if (flags.help) {
      console.log(helpText(USAGE, quantizeCommand.summary, specs));
      return 0;
    }
    for (const f of ['model', 'out'] as const)
      if (flags[f] === undefined) throw new LlmfsError(`quantize: --${f} is required (see --help)`);
    const [dir, out] = [String(flags.model), String(flags.out)];
    const bits = flags.bits as number;
    if (bits !== 8 && bits !== 4)
      throw new LlmfsError(
        `quantize: --bits must be 8 or 4, got ${bits} (llama.cpp's other formats: llmfs export)`,
      );
    if (bits === 8 && (given.has('group') || given.has('zero-point')))
      throw new LlmfsError(
        'quantize: --group and --zero-point are for --bits 4 (int8 has one scale per row)',
      );
    const G = (flags.group as number | undefined) ?? 32;
    if (bits === 4 && !(G >= 2 && G % 2 === 0))
      throw new LlmfsError(`quantize: --group must be an even number >= 2, got ${G}`);
    if (resolve(out) === resolve(dir))
      throw new LlmfsError(`quantize: --out ${out} would overwrite the input; give a new directory`);
    checkNotRunDir('quantize', dir);
    checkOutputDir(out);
    const text = flags.data === undefined ? null : readTextSource(String(flags.data)).text;

    const pre = loadPretrained(dir);
    const model = pre.model;
    model.eval();
    const embedding = flags.embedding as boolean;
    if (bits === 4) checkGroup(model, G, embedding, model.config.nEmbd);
    if (text !== null && !pre.tokenizer)
      throw new LlmfsError(`quantize: ${dir} has no tokenizer to read --data with`);
    const pplBefore = text === null ? null : perplexity(model, pre.tokenizer!, text);
    const report = quantizeModel(model, {
      bits,
      groupSize: G,
      zeroPoint: flags['zero-point'] === true,
      embedding,
    });
    const pplAfter = text === null ? null : perplexity(model, pre.tokenizer!, text);
    saveModel(out, model, { tokenizer: pre.tokenizer, extraFiles: sidecarFiles(pre.dir, pre.format) });

    const result = {
      format:
        bits === 8
          ? 'int8 (per-row absmax)'
          : `int4 (groups of ${G}${flags['zero-point'] ? ', zero point' : ''})`,
      layers: report.layers.length,
      weightBytesBefore: report.bytesBefore,
      weightBytesAfter: report.bytesAfter,
      fileBytesBefore: fileBytes(join(pre.dir, WEIGHTS_FILE)),
      fileBytesAfter: fileBytes(join(out, WEIGHTS_FILE)),
      perplexityBefore: pplBefore,
      perplexityAfter: pplAfter,
      out,
    };
    if (flags.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const mb = (n: number | null): string => (n === null ? '?' : `${(n / 1e6).toFixed(2)} MB`);
    console.log(`quantized ${result.layers} layers to ${result.format}`);
    console.log(
      `  quantized weights: ${mb(result.weightBytesBefore)} -> ${mb(result.weightBytesAfter)} ` +
        `(${((100 * report.bytesAfter) / report.bytesBefore).toFixed(1)}%)`,
    );
    if (result.fileBytesBefore !== null && result.fileBytesAfter !== null)
      console.log(
        `  model.safetensors: ${mb(result.fileBytesBefore)} -> ${mb(result.fileBytesAfter)} ` +
          `(${((100 * result.fileBytesAfter) / result.fileBytesBefore).toFixed(1)}%)`,
      );
    if (pplBefore !== null && pplAfter !== null)
      console.log(
        `  perplexity on ${String(flags.data)}: ${pplBefore.toFixed(3)} -> ${pplAfter.toFixed(3)} ` +
          `(${(100 * (pplAfter / pplBefore - 1)).toFixed(2)}%)`,
      );
    console.log(`  saved to ${out}`);
    return 0;
  },
};
