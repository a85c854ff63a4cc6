// `llmfs prune --model M --out DIR (--sparsity S [--per-layer] | --heads N | --neurons F)`:
// makes a pruned copy of a model (src/prune/). --sparsity zeroes the fraction S of the attention and
// MLP weights of smallest magnitude (Han et al., 2015); --heads removes N attention heads from every
// layer and --neurons the fraction F of every MLP's neurons, the least important by --score
// (Michel et al., 2019), so the matrices shrink. --recover-steps K fine-tunes briefly on --data
// afterwards (pruned weights stay zero). The result is an ordinary checkpoint every command loads.

import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { saveModel } from '../io/model-checkpoint.js';
import { readTextSource } from '../io/text-data.js';
import { toTokenArray, type TokenArray } from '../train/data.js';
import type { GPT } from '../model/gpt.js';
import type { Tokenizer } from '../tokenizer/types.js';
import {
  magnitudePrune,
  headImportance,
  neuronImportance,
  removeHeads,
  removeNeurons,
  recoverFineTune,
  type PruneMasks,
  type ImportanceKind,
} from '../prune/index.js';

const DEFAULT_DATA_CHARS = 400_000;

const specs = {
  model: { type: 'string', help: 'the model to prune (our checkpoint or a Hugging Face GPT-2 directory)' },
  out: { type: 'string', help: 'a new directory for the pruned checkpoint' },
  sparsity: { type: 'number', help: 'unstructured: zero this fraction of attention/MLP weights, in [0, 1)' },
  'per-layer': {
    type: 'boolean',
    help: 'with --sparsity: the fraction of each weight matrix (default: one global threshold)',
  },
  heads: { type: 'int', help: 'structured: remove this many attention heads from every layer' },
  neurons: { type: 'number', help: "structured: remove this fraction of every MLP's neurons, in [0, 1)" },
  score: {
    type: 'string',
    default: 'gradient',
    choices: ['gradient', 'norm'],
    help: 'importance of heads/neurons: |dL/d gate| on --data (Michel et al.) or weight norms',
  },
  'score-batches': { type: 'int', default: 8, help: 'batches of --data the gradient score averages over' },
  'recover-steps': { type: 'int', default: 0, help: 'fine-tune this many steps after pruning (0: none)' },
  lr: { type: 'number', default: 1e-4, help: 'learning rate of the recovery fine-tune' },
  'batch-size': { type: 'int', default: 8, help: 'windows per step (recovery) or per score batch' },
  data: {
    type: 'string',
    help:
      'text file or folder for the score and recovery ' +
      `(default: the built-in corpus, first ${DEFAULT_DATA_CHARS} characters)`,
  },
  seed: { type: 'int', default: 1337, help: 'seed of the batch sampling' },
  json: { type: 'boolean', help: 'print a summary as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs prune --model M --out DIR (--sparsity S [--per-layer] | --heads N | --neurons F) ' +
  '[--score gradient|norm] [--recover-steps K --data FILE]';

/** The text the score and the recovery read, as token ids. */
function tokensOf(tokenizer: Tokenizer, data: string | undefined): TokenArray {
  const read = readTextSource(data, data === undefined ? DEFAULT_DATA_CHARS : undefined);
  return toTokenArray(tokenizer.encode(read.text), tokenizer.vocabSize);
}

export const pruneCommand: Command = {
  summary: 'prune a model: llmfs prune --model M --out DIR --sparsity 0.5 | --heads N | --neurons F',
  run(argv) {
    const { flags, given } = parseArgs('prune', argv, specs);
    if (flags.help) {
      console.log(helpText(USAGE, pruneCommand.summary, specs));
      return 0;
    }
    if (flags.model === undefined) throw new LlmfsError(`prune: --model is required (usage: ${USAGE})`);
    if (flags.out === undefined) throw new LlmfsError(`prune: --out is required (usage: ${USAGE})`);
    const modes = (['sparsity', 'heads', 'neurons'] as const).filter((m) => flags[m] !== undefined);
    if (modes.length !== 1)
      throw new LlmfsError(
        modes.length === 0
          ? `prune: say what to prune: --sparsity S, --heads N or --neurons F (usage: ${USAGE})`
          : `prune: --${modes.join(' and --')} conflict; give one of --sparsity, --heads, --neurons per run`,
      );
    const mode = modes[0];
    if (flags['per-layer'] && mode !== 'sparsity')
      throw new LlmfsError('prune: --per-layer goes with --sparsity');
    for (const f of ['score', 'score-batches'])
      if (mode === 'sparsity' && given.has(f))
        throw new LlmfsError(`prune: --${f} ranks heads or neurons; --sparsity ranks weights by magnitude`);
    const sparsity = flags.sparsity as number | undefined;
    if (sparsity !== undefined && !(sparsity >= 0 && sparsity < 1))
      throw new LlmfsError(`prune: --sparsity must be in [0, 1), got ${sparsity}`);
    const fraction = flags.neurons as number | undefined;
    if (fraction !== undefined && !(fraction >= 0 && fraction < 1))
      throw new LlmfsError(`prune: --neurons must be a fraction in [0, 1), got ${fraction}`);
    const steps = flags['recover-steps'] as number;
    if (steps < 0) throw new LlmfsError(`prune: --recover-steps must be >= 0, got ${steps}`);
    for (const k of ['batch-size', 'score-batches'] as const)
      if ((flags[k] as number) < 1) throw new LlmfsError(`prune: --${k} must be >= 1, got ${flags[k]}`);
    const lr = flags.lr as number;
    if (!(lr > 0 && Number.isFinite(lr))) throw new LlmfsError(`prune: --lr must be a number > 0, got ${lr}`);
    const out = String(flags.out);
    const dir = String(flags.model);
    if (resolve(out) === resolve(dir))
      throw new LlmfsError('prune: --out must differ from --model (a new directory)');
    if (existsSync(out) && readdirSync(out).length > 0)
      throw new LlmfsError(`prune: --out ${out} already exists and is not empty; choose a new directory`);

    const { model: original, tokenizer } = loadPretrained(dir);
    const kind = flags.score as ImportanceKind;
    const needsText = steps > 0 || (mode !== 'sparsity' && kind === 'gradient');
    if (needsText && !tokenizer)
      throw new LlmfsError(`prune: ${dir} has no tokenizer, needed to read --data (or use --score norm)`);
    const tokens = needsText ? tokensOf(tokenizer!, flags.data as string | undefined) : null;
    const batchSize = flags['batch-size'] as number;
    const seed = flags.seed as number;
    const before = original.numParameters();
    let model: GPT = original;
    let masks: PruneMasks | null = null;
    const summary: Record<string, unknown> = { model: dir, out, mode };
    if (mode === 'sparsity') {
      const r = magnitudePrune(model, sparsity!, flags['per-layer'] ? 'layer' : 'global');
      masks = r.masks;
      Object.assign(summary, {
        sparsity: r.pruned / r.total,
        pruned: r.pruned,
        prunable: r.total,
        perTensor: r.perTensor,
      });
      console.error(
        `prune: zeroed ${r.pruned.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')} ` +
          `attention/MLP weights (${((100 * r.pruned) / r.total).toFixed(1)}%, ` +
          `${flags['per-layer'] ? 'per layer' : 'global threshold'})`,
      );
    } else {
      const o = {
        kind,
        tokens: tokens ?? undefined,
        batches: flags['score-batches'] as number,
        batchSize,
        seed,
      };
      const r =
        mode === 'heads'
          ? removeHeads(model, flags.heads as number, headImportance(model, o))
          : removeNeurons(model, fraction!, neuronImportance(model, o));
      model = r.model;
      summary.removed = r.removed;
      const what = mode === 'heads' ? 'heads' : 'neurons';
      for (const [l, gone] of r.removed.entries())
        console.error(
          `prune: layer ${l}: removed ${what} ${gone.length > 12 ? `${gone.length}` : gone.join(', ')}`,
        );
    }
    if (steps > 0) {
      const losses = recoverFineTune(model, tokens!, masks, {
        steps,
        batchSize,
        lr,
        seed,
        onStep: (s, l) => {
          if (s === 1 || s === steps || s % 50 === 0)
            console.error(`recover: step ${s}/${steps} loss ${l.toFixed(4)}`);
        },
      });
      summary.recoveryLosses = [losses[0], losses[losses.length - 1]];
    }
    saveModel(out, model, { tokenizer });
    const after = model.numParameters();
    Object.assign(summary, { parametersBefore: before, parametersAfter: after, config: model.config });
    if (flags.json) {
      console.log(JSON.stringify(summary));
      return 0;
    }
    console.log(`pruned model:  ${out}`);
    console.log(`parameters:    ${before.toLocaleString('en-US')} -> ${after.toLocaleString('en-US')}`);
    if (mode === 'sparsity')
      console.log(
        'note:          zeros are stored like any weight: the file is as large, measure it with llmfs eval',
      );
    else
      console.log(
        `config:        nHead ${model.config.nHead}, headDim ${model.config.headDim}, ` +
          `mlpHidden ${model.config.mlpHidden}`,
      );
    return 0;
  },
};
