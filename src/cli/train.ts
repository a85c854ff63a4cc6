// `llmfs train`: trains a GPT on a text file, a folder of .txt files, or the default corpus.
// Every model-config field and training setting is a flag; --help lists them with defaults
// (training defaults from TRAIN_DEFAULTS, choice lists from the validators' `as const` arrays).

import type { Command } from './command.js';
import { parseArgs, helpText, type FlagSpecs, type ParsedFlags } from './args.js';
import { GPT_PRESETS } from '../model/presets.js';
import { ACTIVATIONS, MLP_KINDS, NORM_KINDS, POSITION_KINDS, type GPTConfigInput } from '../model/config.js';
import { OPTIMIZER_KINDS, TRAIN_DEFAULTS, trainConfig, type TrainConfig } from '../train/config.js';
import { SCHEDULE_KINDS } from '../train/schedule.js';
import { progressLine, formatDuration } from '../train/progress.js';
import { runTrainJob, type TrainJobResult } from './train-job.js';
import { LlmfsError } from '../errors.js';

const D = TRAIN_DEFAULTS;
export const trainSpecs = {
  data: { type: 'string', help: 'a .txt file or a folder of .txt files (default: the bundled corpus)' },
  'max-chars': { type: 'int', help: 'use only the first N characters of the data' },
  preset: { type: 'string', help: 'model preset', default: 'cpu-small', choices: Object.keys(GPT_PRESETS) },
  tokenizer: { type: 'string', help: "'char', 'gpt2', or a saved tokenizer file/folder", default: 'char' },
  init: { type: 'string', help: 'start from the weights and tokenizer in DIR (checkpoint or HF GPT-2)' },
  steps: {
    type: 'int',
    help: `optimizer steps (default ${D.steps}; with --resume: the new total, else the saved run's)`,
  },
  'batch-size': { type: 'int', help: 'sequences per micro-batch', default: D.batchSize },
  'grad-accum': { type: 'int', help: 'micro-batches per step', default: D.gradAccum },
  optimizer: { type: 'string', help: 'optimizer', default: D.optimizer, choices: OPTIMIZER_KINDS },
  lr: { type: 'number', help: 'peak learning rate', default: D.lr },
  'min-lr': { type: 'number', help: 'cosine floor', default: D.minLr },
  schedule: { type: 'string', help: 'learning-rate schedule', default: D.schedule, choices: SCHEDULE_KINDS },
  warmup: { type: 'int', help: 'linear warm-up steps (default: min(100, steps/10))' },
  'decay-steps': { type: 'int', help: 'steps over which cosine decays (default: --steps)' },
  'weight-decay': {
    type: 'number',
    help: 'weight decay on matrices (default 0.1 for adamw: decoupled; 0 for adam and sgd: L2)',
  },
  beta1: { type: 'number', help: 'Adam β1', default: D.beta1 },
  beta2: { type: 'number', help: 'Adam β2', default: D.beta2 },
  eps: { type: 'number', help: 'Adam ε', default: D.eps },
  momentum: { type: 'number', help: 'SGD momentum', default: D.momentum },
  'grad-clip': { type: 'number', help: 'clip the global gradient norm (0: off)', default: D.gradClip },
  'eval-interval': { type: 'int', help: 'evaluate and checkpoint every N steps', default: D.evalInterval },
  'eval-batches': { type: 'int', help: 'batches per evaluation', default: D.evalBatches },
  'val-fraction': { type: 'number', help: 'share of the tokens held out for validation', default: 0.1 },
  seed: { type: 'int', help: 'random seed (weights, batches, dropout)', default: D.seed },
  out: { type: 'string', help: 'output directory', default: 'out/train' },
  resume: { type: 'boolean', help: 'continue the run in --out from its last checkpoint' },
  cache: { type: 'boolean', help: 'cache tokenised data in .cache/llmfs', default: true },
  json: { type: 'boolean', help: 'print a JSON summary at the end' },
  quiet: { type: 'boolean', help: 'no progress bar' },
  // Model config overrides (defaults come from the preset).
  'block-size': { type: 'int', help: 'context length' },
  'n-layer': { type: 'int', help: 'transformer blocks' },
  'n-head': { type: 'int', help: 'attention heads' },
  'n-kv-head': { type: 'int', help: 'key/value heads (grouped-query attention)' },
  'n-embd': { type: 'int', help: 'embedding width' },
  'mlp-hidden': { type: 'int', help: 'MLP hidden width' },
  dropout: { type: 'number', help: 'dropout probability' },
  bias: { type: 'boolean', help: 'biases in Linear and LayerNorm' },
  positions: { type: 'string', help: 'position encoding', choices: POSITION_KINDS },
  norm: { type: 'string', help: 'normalisation', choices: NORM_KINDS },
  mlp: { type: 'string', help: 'MLP kind', choices: MLP_KINDS },
  activation: { type: 'string', help: 'MLP activation', choices: ACTIVATIONS },
  'tie-weights': { type: 'boolean', help: 'tie the output head to the token embedding' },
  help: { type: 'boolean', help: 'show this help' },
} as const satisfies FlagSpecs;

const MODEL_FLAGS: [string, keyof GPTConfigInput][] = [
  ['block-size', 'blockSize'],
  ['n-layer', 'nLayer'],
  ['n-head', 'nHead'],
  ['n-kv-head', 'nKvHead'],
  ['n-embd', 'nEmbd'],
  ['mlp-hidden', 'mlpHidden'],
  ['dropout', 'dropout'],
  ['bias', 'bias'],
  ['positions', 'positions'],
  ['norm', 'norm'],
  ['mlp', 'mlp'],
  ['activation', 'activation'],
  ['tie-weights', 'tieWeights'],
];

/** Training flags -> their TrainConfig fields (the rest are named alike: --batch-size, batchSize). */
const TRAIN_FLAGS: [string, keyof TrainConfig][] = [
  ['steps', 'steps'],
  ['batch-size', 'batchSize'],
  ['grad-accum', 'gradAccum'],
  ['optimizer', 'optimizer'],
  ['lr', 'lr'],
  ['min-lr', 'minLr'],
  ['schedule', 'schedule'],
  ['warmup', 'warmupSteps'],
  ['decay-steps', 'decaySteps'],
  ['weight-decay', 'weightDecay'],
  ['beta1', 'beta1'],
  ['beta2', 'beta2'],
  ['eps', 'eps'],
  ['momentum', 'momentum'],
  ['grad-clip', 'gradClip'],
  ['eval-interval', 'evalInterval'],
  ['eval-batches', 'evalBatches'],
  ['seed', 'seed'],
];
const FLAG_OF = new Map(TRAIN_FLAGS.map(([flag, field]) => [field as string, flag]));

/** Training settings from parsed flags, checked by trainConfig (errors name the flag). */
export function trainConfigFrom(f: ParsedFlags): TrainConfig {
  const input: Record<string, unknown> = {};
  for (const [flag, field] of TRAIN_FLAGS) input[field] = f[flag];
  const flagName = (k: string) => `--${FLAG_OF.get(k) ?? k}`;
  return trainConfig(input as Partial<TrainConfig>, { label: 'train', flagName });
}

export async function trainFromArgs(
  argv: string[],
  write: (s: string) => void = (s) => process.stderr.write(s),
): Promise<TrainJobResult | null> {
  const { flags, positionals } = parseArgs('train', argv, trainSpecs);
  if (flags.help) {
    console.log(helpText('llmfs train [options]', trainCommand.summary, trainSpecs));
    return null;
  }
  if (positionals.length > 0)
    throw new LlmfsError(
      `train: unexpected argument '${positionals[0]}' (did you mean --data ${positionals[0]}?)`,
    );
  const given = (flag: string) => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  if (flags.init !== undefined) {
    if (given('resume')) {
      const why = '--resume continues the run in --out, --init starts a new one';
      throw new LlmfsError(`train: --init and --resume do not mix: ${why}`);
    }
    for (const flag of ['preset', 'tokenizer']) {
      if (given(flag)) {
        const why = `the model and tokenizer come from ${flags.init}`;
        throw new LlmfsError(`train: --init and --${flag} do not mix: ${why}`);
      }
    }
  }
  const overrides: Partial<GPTConfigInput> = {};
  for (const [flag, field] of MODEL_FLAGS)
    if (flags[flag] !== undefined) (overrides as Record<string, unknown>)[field] = flags[flag];
  const tty = process.stderr.isTTY === true && !flags.quiet;
  const config = trainConfigFrom(flags);
  let lastVal: number | undefined;
  let lastDraw = 0;
  return runTrainJob({
    data: flags.data as string | undefined,
    maxChars: flags['max-chars'] as number | undefined,
    preset: flags.preset as string,
    tokenizer: flags.tokenizer as string,
    init: flags.init as string | undefined,
    modelOverrides: overrides,
    train: config,
    valFraction: flags['val-fraction'] as number,
    out: flags.out as string,
    resume: flags.resume === true,
    keepSavedSteps: flags.resume === true && flags.steps === undefined,
    cacheDir: flags.cache ? '.cache/llmfs' : null,
    onLog: flags.quiet ? undefined : (m) => write(`${m}\n`),
    onStep(info) {
      if (flags.quiet) return;
      const line = progressLine({ ...info, steps: config.steps, valLoss: lastVal });
      const now = performance.now();
      if (tty && (now - lastDraw > 100 || info.step === config.steps)) {
        write(`\r${line}\x1b[K`);
        lastDraw = now;
      } else if (
        !tty &&
        (info.step % Math.max(1, Math.floor(config.steps / 20)) === 0 || info.step === config.steps)
      ) {
        write(`${line}\n`);
      }
    },
    onEval(info) {
      lastVal = info.valLoss;
      if (!flags.quiet && tty)
        write(
          `\r\x1b[Kstep ${info.step}: train loss ${info.trainLoss.toFixed(4)}, val loss ` +
            `${info.valLoss.toFixed(4)}${info.best ? ' (best)' : ''}\n`,
        );
      else if (!flags.quiet)
        write(
          `eval at step ${info.step}: train loss ${info.trainLoss.toFixed(4)}, val loss ` +
            `${info.valLoss.toFixed(4)}${info.best ? ' (best)' : ''}\n`,
        );
    },
  });
}

export const trainCommand: Command = {
  summary: 'train a GPT on text (default: the bundled corpus, char-level, cpu-small)',
  async run(argv) {
    const { flags } = parseArgs('train', argv, trainSpecs);
    const r = await trainFromArgs(argv);
    if (!r) return 0;
    const summary = {
      steps: r.steps,
      trainLoss: r.trainLoss,
      valLoss: r.valLoss,
      bestValLoss: r.bestValLoss,
      seconds: r.seconds,
      tokensPerSecond: r.tokensPerSecond,
      checkpoint: r.checkpoint,
      lossCurve: r.curve,
    };
    if (flags.json) console.log(JSON.stringify(summary, null, 2));
    else {
      console.log(
        `\ntrained ${r.steps} steps in ${formatDuration(r.seconds)}: train loss ${r.trainLoss.toFixed(4)}, ` +
          `val loss ${r.valLoss.toFixed(4)} (best ${r.bestValLoss.toFixed(4)}), ` +
          `${Math.round(r.tokensPerSecond)} tokens/s`,
      );
      console.log(`checkpoint: ${r.checkpoint}\nloss curve: ${r.curve}`);
    }
    return 0;
  },
};
