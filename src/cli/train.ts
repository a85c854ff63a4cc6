// `llmfs train`: trains a GPT on a text file, a folder of .txt files, or the default corpus.
// Every model-config field and training setting is a flag; --help lists them with defaults.

import type { Command } from './command.js';
import { parseArgs, helpText, type FlagSpecs, type ParsedFlags } from './args.js';
import { GPT_PRESETS } from '../model/presets.js';
import type { GPTConfigInput } from '../model/config.js';
import type { TrainConfig } from '../train/trainer.js';
import { progressLine, formatDuration } from '../train/progress.js';
import { runTrainJob, type TrainJobResult } from './train-job.js';
import { LlmfsError } from '../errors.js';

export const trainSpecs = {
  data: { type: 'string', help: 'a .txt file or a folder of .txt files (default: the bundled corpus)' },
  'max-chars': { type: 'int', help: 'use only the first N characters of the data' },
  preset: { type: 'string', help: 'model preset', default: 'cpu-small', choices: Object.keys(GPT_PRESETS) },
  tokenizer: { type: 'string', help: "'char', 'gpt2', or a saved tokenizer file/folder", default: 'char' },
  steps: { type: 'int', help: 'optimizer steps (default 2000; with --resume: the new total, else the saved run\'s)' },
  'batch-size': { type: 'int', help: 'sequences per micro-batch', default: 12 },
  'grad-accum': { type: 'int', help: 'micro-batches per step', default: 1 },
  optimizer: { type: 'string', help: 'optimizer', default: 'adamw', choices: ['adamw', 'adam', 'sgd'] },
  lr: { type: 'number', help: 'peak learning rate', default: 1e-3 },
  'min-lr': { type: 'number', help: 'cosine floor', default: 1e-4 },
  schedule: { type: 'string', help: 'learning-rate schedule', default: 'cosine', choices: ['constant', 'cosine', 'step'] },
  warmup: { type: 'int', help: 'linear warm-up steps (default: min(100, steps/10))' },
  'decay-steps': { type: 'int', help: 'steps over which cosine decays (default: --steps)' },
  'weight-decay': { type: 'number', help: 'weight decay on matrices (default 0.1 for adamw: decoupled; 0 for adam and sgd: L2)' },
  beta1: { type: 'number', help: 'Adam β1', default: 0.9 },
  beta2: { type: 'number', help: 'Adam β2', default: 0.99 },
  momentum: { type: 'number', help: 'SGD momentum', default: 0.9 },
  'grad-clip': { type: 'number', help: 'clip the global gradient norm (0: off)', default: 1 },
  'eval-interval': { type: 'int', help: 'evaluate and checkpoint every N steps', default: 250 },
  'eval-batches': { type: 'int', help: 'batches per evaluation', default: 20 },
  'val-fraction': { type: 'number', help: 'share of the tokens held out for validation', default: 0.1 },
  seed: { type: 'int', help: 'random seed (weights, batches, dropout)', default: 1337 },
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
  positions: { type: 'string', help: 'position encoding', choices: ['learned', 'sinusoidal', 'rope', 'none'] },
  norm: { type: 'string', help: 'normalisation', choices: ['layernorm', 'rmsnorm'] },
  mlp: { type: 'string', help: 'MLP kind', choices: ['gelu', 'swiglu'] },
  activation: { type: 'string', help: 'MLP activation', choices: ['gelu', 'gelu_tanh', 'relu', 'silu'] },
  'tie-weights': { type: 'boolean', help: 'tie the output head to the token embedding' },
  help: { type: 'boolean', help: 'show this help' },
} as const satisfies FlagSpecs;

const MODEL_FLAGS: [string, keyof GPTConfigInput][] = [
  ['block-size', 'blockSize'], ['n-layer', 'nLayer'], ['n-head', 'nHead'], ['n-kv-head', 'nKvHead'], ['n-embd', 'nEmbd'],
  ['mlp-hidden', 'mlpHidden'], ['dropout', 'dropout'], ['bias', 'bias'], ['positions', 'positions'], ['norm', 'norm'],
  ['mlp', 'mlp'], ['activation', 'activation'], ['tie-weights', 'tieWeights'],
];

function positive(name: string, v: number): number {
  if (!(v > 0)) throw new LlmfsError(`train: --${name} must be positive, got ${v}`);
  return v;
}

/** Training settings from parsed flags, each checked. */
export function trainConfigFrom(f: ParsedFlags): TrainConfig {
  const steps = positive('steps', (f.steps as number | undefined) ?? 2000);
  return {
    steps,
    batchSize: positive('batch-size', f['batch-size'] as number),
    gradAccum: positive('grad-accum', f['grad-accum'] as number),
    optimizer: f.optimizer as TrainConfig['optimizer'],
    lr: positive('lr', f.lr as number),
    schedule: f.schedule as TrainConfig['schedule'],
    warmupSteps: (f.warmup as number | undefined) ?? Math.min(100, Math.floor(steps / 10)),
    decaySteps: (f['decay-steps'] as number | undefined) ?? steps,
    minLr: f['min-lr'] as number,
    weightDecay: (f['weight-decay'] as number | undefined) ?? (f.optimizer === 'adamw' ? 0.1 : 0),
    beta1: f.beta1 as number,
    beta2: f.beta2 as number,
    momentum: f.momentum as number,
    gradClip: f['grad-clip'] as number,
    evalInterval: positive('eval-interval', f['eval-interval'] as number),
    evalBatches: positive('eval-batches', f['eval-batches'] as number),
    seed: f.seed as number,
  };
}

export async function trainFromArgs(argv: string[], write: (s: string) => void = (s) => process.stderr.write(s)): Promise<TrainJobResult | null> {
  const { flags, positionals } = parseArgs('train', argv, trainSpecs);
  if (flags.help) {
    console.log(helpText('llmfs train [options]', trainCommand.summary, trainSpecs));
    return null;
  }
  if (positionals.length > 0) throw new LlmfsError(`train: unexpected argument '${positionals[0]}' (did you mean --data ${positionals[0]}?)`);
  const overrides: Partial<GPTConfigInput> = {};
  for (const [flag, field] of MODEL_FLAGS) if (flags[flag] !== undefined) (overrides as Record<string, unknown>)[field] = flags[flag];
  const tty = process.stderr.isTTY === true && !flags.quiet;
  const config = trainConfigFrom(flags);
  let lastVal: number | undefined;
  let lastDraw = 0;
  return runTrainJob({
    data: flags.data as string | undefined,
    maxChars: flags['max-chars'] as number | undefined,
    preset: flags.preset as string,
    tokenizer: flags.tokenizer as string,
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
      } else if (!tty && (info.step % Math.max(1, Math.floor(config.steps / 20)) === 0 || info.step === config.steps)) {
        write(`${line}\n`);
      }
    },
    onEval(info) {
      lastVal = info.valLoss;
      if (!flags.quiet && tty) write(`\r\x1b[Kstep ${info.step}: train loss ${info.trainLoss.toFixed(4)}, val loss ${info.valLoss.toFixed(4)}${info.best ? ' (best)' : ''}\n`);
      else if (!flags.quiet) write(`eval at step ${info.step}: train loss ${info.trainLoss.toFixed(4)}, val loss ${info.valLoss.toFixed(4)}${info.best ? ' (best)' : ''}\n`);
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
      steps: r.steps, trainLoss: r.trainLoss, valLoss: r.valLoss, bestValLoss: r.bestValLoss,
      seconds: r.seconds, tokensPerSecond: r.tokensPerSecond, checkpoint: r.checkpoint, lossCurve: r.curve,
    };
    if (flags.json) console.log(JSON.stringify(summary, null, 2));
    else {
      console.log(`\ntrained ${r.steps} steps in ${formatDuration(r.seconds)}: train loss ${r.trainLoss.toFixed(4)}, val loss ${r.valLoss.toFixed(4)} (best ${r.bestValLoss.toFixed(4)}), ${Math.round(r.tokensPerSecond)} tokens/s`);
      console.log(`checkpoint: ${r.checkpoint}\nloss curve: ${r.curve}`);
    }
    return 0;
  },
};
