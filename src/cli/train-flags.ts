// The flags of `llmfs train`: the table --help prints (training defaults from TRAIN_DEFAULTS,
// choice lists from the validators' `as const` arrays), and the maps from flags to the settings
// they name (TrainConfig, model config and run fields), so errors can name a setting by its flag.

import { TEXT_ENCODINGS } from '../io/text-data.js';
import type { FlagSpecs, ParsedFlags } from './args.js';
import { GPT_PRESETS } from '../model/presets.js';
import {
  ACTIVATIONS,
  ATTENTION_KINDS,
  MLP_KINDS,
  NORM_KINDS,
  POSITION_KINDS,
  type GPTConfigInput,
} from '../model/config.js';
import { OPTIMIZER_KINDS, TRAIN_DEFAULTS, trainConfig, type TrainConfig } from '../train/config.js';
import { SCHEDULE_KINDS } from '../train/schedule.js';

const D = TRAIN_DEFAULTS;
export const trainSpecs = {
  data: { type: 'string', help: 'a .txt file or a folder of .txt files (default: the bundled corpus)' },
  'max-chars': { type: 'int', help: 'use only the first N characters of the data' },
  encoding: {
    type: 'string',
    help: 'how --data is read: utf8 refuses binary or invalid UTF-8; utf8-lossy, latin1 read anything',
    default: 'utf8',
    choices: TEXT_ENCODINGS,
  },
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
  'min-lr': { type: 'number', help: 'cosine floor (default: min(1e-4, lr/10))' },
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
  resume: {
    type: 'boolean',
    help:
      'continue the run in --out from its last checkpoint (may change: --steps, --lr, --min-lr, ' +
      '--schedule, --warmup, --decay-steps, --grad-clip, --eval-interval, --eval-batches)',
  },
  force: { type: 'boolean', help: 'replace an earlier run in --out (deletes its checkpoints and log)' },
  cache: { type: 'boolean', help: 'cache tokenised data in .cache/llmfs', default: true },
  diagnostics: {
    type: 'boolean',
    help: 'log per-layer training health at each evaluation to diagnostics.jsonl (llmfs diagnose run)',
  },
  workers: {
    type: 'int',
    help: 'data parallel: worker threads, each on batch-size/N rows of every batch (1: this thread)',
    default: 1,
  },
  zero: {
    type: 'int',
    help: 'with --workers: 1 shards the AdamW moments across the workers (ZeRO-1)',
    default: 0,
  },
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
  // Attention variants (issue 18)
  attention: { type: 'string', help: 'which keys a query sees', choices: ATTENTION_KINDS },
  window: { type: 'int', help: "sliding window width W, and the sparse patterns' stride (<= block size)" },
  'moe-experts': { type: 'int', help: 'mixture of experts: expert MLPs per block (0: dense MLP)' },
  'moe-top-k': { type: 'int', help: 'mixture of experts: experts per token (default 2)' },
  'moe-capacity-factor': {
    type: 'number',
    help: 'mixture of experts: expert capacity factor (0: unlimited)',
  },
  'qk-norm': { type: 'boolean', help: "RMSNorm over each head's queries and keys (QK-norm)" },
  help: { type: 'boolean', help: 'show this help' },
} as const satisfies FlagSpecs;

export const MODEL_FLAGS: [string, keyof GPTConfigInput][] = [
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
  ['attention', 'attention'],
  ['window', 'window'],
  ['moe-experts', 'moeExperts'],
  ['moe-top-k', 'moeTopK'],
  ['moe-capacity-factor', 'moeCapacityFactor'],
  ['qk-norm', 'qkNorm'],
];

/** Training flags -> their TrainConfig fields (the rest are named alike: --batch-size, batchSize). */
export const TRAIN_FLAGS: [string, keyof TrainConfig][] = [
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

/** Run and model settings named by other flags (the rest are in TRAIN_FLAGS and MODEL_FLAGS). */
export const RUN_FLAGS: [string, string][] = [
  ['data', 'data'],
  ['max-chars', 'maxChars'],
  ['encoding', 'encoding'],
  ['preset', 'preset'],
  ['tokenizer', 'tokenizer'],
  ['val-fraction', 'valFraction'],
];
const FLAG_OF = new Map<string, string>(
  [...TRAIN_FLAGS, ...MODEL_FLAGS, ...RUN_FLAGS].map(([flag, field]) => [field as string, flag]),
);
/** How errors name a setting: by its flag (warmupSteps -> --warmup). */
export const flagName = (k: string) => `--${FLAG_OF.get(k) ?? k}`;

/** Training settings from parsed flags, checked by trainConfig (errors name the flag). */
export function trainConfigFrom(f: ParsedFlags): TrainConfig {
  return trainConfig(trainInput(f), { label: 'train', flagName });
}

export function trainInput(f: ParsedFlags): Partial<TrainConfig> {
  const input: Record<string, unknown> = {};
  for (const [flag, field] of TRAIN_FLAGS) input[field] = f[flag];
  return input as Partial<TrainConfig>;
}

/** The flags written on the command line (not defaults), `--no-x` included. */
export function givenFlags(argv: readonly string[]): Set<string> {
  const given = new Set<string>();
  for (const a of argv) {
    if (!a.startsWith('--')) continue;
    const name = a.slice(2).split('=')[0];
    given.add(name.startsWith('no-') && !(name in trainSpecs) ? name.slice(3) : name);
  }
  return given;
}
