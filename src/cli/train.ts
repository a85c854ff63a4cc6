// `llmfs train`: trains a GPT on a text file, a folder of .txt files, or the default corpus.
// Every model-config field and training setting is a flag; --help lists them with defaults
// (training defaults from TRAIN_DEFAULTS, choice lists from the validators' `as const` arrays).

import { TEXT_ENCODINGS, type TextEncodingName } from '../io/text-data.js';
import type { Command } from './command.js';
import { parseArgs, helpText, type FlagSpecs, type ParsedFlags } from './args.js';
import { GPT_PRESETS } from '../model/presets.js';
import { ACTIVATIONS, MLP_KINDS, NORM_KINDS, POSITION_KINDS, type GPTConfigInput } from '../model/config.js';
import { OPTIMIZER_KINDS, TRAIN_DEFAULTS, trainConfig, type TrainConfig } from '../train/config.js';
import { SCHEDULE_KINDS } from '../train/schedule.js';
import { progressLine, formatDuration, jobProgressLine } from '../train/progress.js';
import { runTrainJob, type TrainJobResult } from './train-job.js';
import { LlmfsError } from '../errors.js';

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

/** Run and model settings named by other flags (the rest are in TRAIN_FLAGS and MODEL_FLAGS). */
const RUN_FLAGS: [string, string][] = [
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
const flagName = (k: string) => `--${FLAG_OF.get(k) ?? k}`;

/** Training settings from parsed flags, checked by trainConfig (errors name the flag). */
export function trainConfigFrom(f: ParsedFlags): TrainConfig {
  return trainConfig(trainInput(f), { label: 'train', flagName });
}

function trainInput(f: ParsedFlags): Partial<TrainConfig> {
  const input: Record<string, unknown> = {};
  for (const [flag, field] of TRAIN_FLAGS) input[field] = f[flag];
  return input as Partial<TrainConfig>;
}

/** The flags written on the command line (not defaults), `--no-x` included. */
function givenFlags(argv: readonly string[]): Set<string> {
  const given = new Set<string>();
  for (const a of argv) {
    if (!a.startsWith('--')) continue;
    const name = a.slice(2).split('=')[0];
    given.add(name.startsWith('no-') && !(name in trainSpecs) ? name.slice(3) : name);
  }
  return given;
}

/** A path as a shell word (quoted when it holds anything but safe characters). */
export function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface TrainRunOutcome extends TrainJobResult {
  /** The signal that stopped the run (Ctrl-C: SIGINT), or null. */
  signal: 'SIGINT' | 'SIGTERM' | null;
}

export interface TrainFromArgsOptions {
  /** Where progress goes (default: stderr). */
  write?: (s: string) => void;
  /** Whether `write` goes to a terminal, so the progress line redraws in place (default: stderr's). */
  tty?: boolean;
  /** The command that resumes this run, for messages (default: npx llmfs train --resume --out OUT). */
  resumeCommand?: (out: string) => string;
}

export const trainResumeCommand = (out: string): string => `npx llmfs train --resume --out ${shellWord(out)}`;

export async function trainFromArgs(
  argv: string[],
  opts: TrainFromArgsOptions = {},
): Promise<TrainRunOutcome | null> {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  const { flags, positionals } = parseArgs('train', argv, trainSpecs);
  if (flags.help) {
    console.log(helpText('llmfs train [options]', trainCommand.summary, trainSpecs));
    return null;
  }
  if (positionals.length > 0)
    throw new LlmfsError(
      `train: unexpected argument '${positionals[0]}' (did you mean --data ${positionals[0]}?)`,
    );
  const given = givenFlags(argv);
  const resume = flags.resume === true;
  if (flags.init !== undefined) {
    if (resume) {
      const why = '--resume continues the run in --out, --init starts a new one';
      throw new LlmfsError(`train: --init and --resume do not mix: ${why}`);
    }
    for (const flag of ['preset', 'tokenizer']) {
      if (given.has(flag)) {
        const why = `the model and tokenizer come from ${flags.init}`;
        throw new LlmfsError(`train: --init and --${flag} do not mix: ${why}`);
      }
    }
  }
  const overrides: Partial<GPTConfigInput> = {};
  for (const [flag, field] of MODEL_FLAGS)
    if (flags[flag] !== undefined) (overrides as Record<string, unknown>)[field] = flags[flag];
  const tty = (opts.tty ?? process.stderr.isTTY === true) && !flags.quiet;
  // Without --resume every setting is checked here, before anything is read or written; with it,
  // once merged with the saved run's (runTrainJob).
  const train = resume ? trainInput(flags) : trainConfigFrom(flags);
  const asked = new Set<string>();
  for (const [flag, field] of [...TRAIN_FLAGS, ...MODEL_FLAGS, ...RUN_FLAGS])
    if (given.has(flag)) asked.add(field);
  const out = flags.out as string;
  const resumeCommand = opts.resumeCommand ?? trainResumeCommand;

  // Ctrl-C (or SIGTERM): finish the step, save, report. The handlers go at the first signal, so
  // a second one ends the process at once (the last checkpoint is whole: saves are atomic).
  const stop = new AbortController();
  let midLine = false; // the progress line is drawn and not yet ended
  let stoppedBy: 'SIGINT' | 'SIGTERM' | null = null;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    stoppedBy = signal;
    midLine = false;
    write(
      `\n${signal}: stopping after this step to save a checkpoint (press Ctrl-C again to quit at once)\n`,
    );
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let total = train.steps ?? TRAIN_DEFAULTS.steps;
  let lastVal: number | undefined;
  let lastDraw = 0;
  let evalStart = 0;
  const draw = (line: string) => {
    write(`\r${line}\x1b[K`);
    midLine = true;
  };
  const endLine = (s: string) => {
    write(`${tty && midLine ? '\r\x1b[K' : ''}${s}\n`);
    midLine = false;
  };
  try {
    const r = await runTrainJob({
      data: flags.data as string | undefined,
      maxChars: flags['max-chars'] as number | undefined,
      encoding: flags.encoding as TextEncodingName,
      preset: flags.preset as string,
      tokenizer: flags.tokenizer as string,
      init: flags.init as string | undefined,
      modelOverrides: overrides,
      train,
      valFraction: flags['val-fraction'] as number,
      out,
      resume,
      force: flags.force === true,
      asked: resume ? asked : undefined,
      flagName,
      signal: stop.signal,
      cacheDir: flags.cache ? '.cache/llmfs' : null,
      onLog: flags.quiet ? undefined : (m) => endLine(m),
      onStart(info) {
        total = info.config.steps;
      },
      onStep(info) {
        if (flags.quiet) return;
        const line = progressLine({ ...info, steps: total, valLoss: lastVal });
        const now = performance.now();
        if (tty && (now - lastDraw > 100 || info.step === total)) {
          draw(line);
          lastDraw = now;
        } else if (!tty && (info.step % Math.max(1, Math.floor(total / 20)) === 0 || info.step === total)) {
          write(`${line}\n`);
        }
      },
      onEvalProgress(done, n) {
        if (!tty) return;
        const now = performance.now();
        if (done === 1) evalStart = now;
        if (now - lastDraw > 100 || done === n) {
          const elapsedSeconds = (now - evalStart) / 1000;
          draw(jobProgressLine({ label: 'evaluating', done, total: n, elapsedSeconds }));
          lastDraw = now;
        }
      },
      onEval(info) {
        lastVal = info.valLoss;
        if (flags.quiet) return;
        const losses = Number.isNaN(info.valLoss)
          ? `train loss ${info.trainLoss.toFixed(4)}`
          : `train loss ${info.trainLoss.toFixed(4)}, val loss ${info.valLoss.toFixed(4)}`;
        endLine(`${tty ? 'step' : 'eval at step'} ${info.step}: ${losses}${info.best ? ' (best)' : ''}`);
      },
    });
    if (midLine) endLine('');
    if (r.stopped && stoppedBy) {
      const where = r.lastCheckpoint
        ? `the checkpoint is ${r.lastCheckpoint}`
        : 'nothing was saved (no step had finished)';
      console.log(`stopped at step ${r.steps} of ${r.config.steps} (${stoppedBy}); ${where}`);
      if (r.lastCheckpoint) console.log(`resume with: ${resumeCommand(out)}`);
    }
    return { ...r, signal: r.stopped ? stoppedBy : null };
  } finally {
    if (midLine) write('\n'); // an error ends the run mid-line: its message starts on a line of its own
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The exit status of a run a signal stopped: 128 + the signal's number, as a shell reports it. */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** The message for a resumed run that had already reached its steps. */
export function finishedMessage(r: TrainJobResult, resumeCommand: (out: string) => string): string {
  const best = Number.isFinite(r.bestValLoss) ? `, best loss ${r.bestValLoss.toFixed(4)}` : '';
  return (
    `the run in ${r.out} has finished: step ${r.steps} of ${r.config.steps}${best}; nothing to do. ` +
    `To train further: ${resumeCommand(r.out)} --steps ${r.config.steps * 2}`
  );
}

/** "val loss 1.79 (best 1.75)", or, without a validation split, the train loss and what best means. */
function lossSummary(r: TrainJobResult): string {
  const [train, best] = [r.trainLoss.toFixed(4), r.bestValLoss.toFixed(4)];
  if (Number.isNaN(r.valLoss)) return `train loss ${train} (no validation split: best ${best} by train loss)`;
  return `train loss ${train}, val loss ${r.valLoss.toFixed(4)} (best ${best})`;
}

export const trainCommand: Command = {
  summary: 'train a GPT on text (default: the bundled corpus, char-level, cpu-small)',
  async run(argv) {
    const { flags } = parseArgs('train', argv, trainSpecs);
    const r = await trainFromArgs(argv);
    if (!r) return 0;
    if (r.signal) return signalExitCode(r.signal);
    if (r.finished) {
      console.log(finishedMessage(r, trainResumeCommand));
      return 0;
    }
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
        `\ntrained ${r.steps} steps in ${formatDuration(r.seconds)}: ${lossSummary(r)}, ` +
          `${Math.round(r.tokensPerSecond)} tokens/s`,
      );
      console.log(`checkpoint: ${r.checkpoint}\nloss curve: ${r.curve}`);
    }
    return 0;
  },
};
