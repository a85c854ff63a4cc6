// `llmfs train`: trains a GPT on a text file, a folder of .txt files, or the default corpus.
// Every model-config field and training setting is a flag (the table is in train-flags.ts); this
// file runs the job with a progress line, stops it cleanly on Ctrl-C and prints the summary.

import type { TextEncodingName } from '../io/text-data.js';
import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import type { GPTConfigInput } from '../model/config.js';
import { TRAIN_DEFAULTS } from '../train/config.js';
import { progressLine, formatDuration, jobProgressLine } from '../train/progress.js';
import { runTrainJob, type TrainJobResult } from './train-job.js';
import { LlmfsError } from '../errors.js';
import type { WorkerMemory } from '../parallel/memory.js';
import {
  MODEL_FLAGS,
  RUN_FLAGS,
  TRAIN_FLAGS,
  flagName,
  givenFlags,
  trainConfigFrom,
  trainInput,
  trainSpecs,
} from './train-flags.js';

export { trainConfigFrom, trainSpecs } from './train-flags.js';

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
      diagnostics: flags.diagnostics as boolean | undefined,
      workers: flags.workers as number,
      zero: flags.zero as 0 | 1,
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

/** Bytes per worker of a data-parallel run, one line per rank. */
export function workerMemoryLines(memory: readonly WorkerMemory[]): string {
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  return memory
    .map(
      (m) =>
        `worker ${m.rank}: parameters ${mb(m.parameters)}, gradients ${mb(m.gradients)}, optimizer moments ` +
        `${mb(m.moments)}, communication ${mb(m.communication)}; total ${mb(m.total)}`,
    )
    .join('\n');
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
      parameters: r.model.numParameters(),
      /** The process's peak resident memory (maxRSS), in MB. */
      peakMemoryMB: Math.round(process.resourceUsage().maxRSS / 1024),
      checkpoint: r.checkpoint,
      lossCurve: r.curve,
      ...(r.memory ? { workers: r.memory.length, memoryPerWorker: r.memory } : {}),
    };
    if (flags.json) console.log(JSON.stringify(summary, null, 2));
    else {
      console.log(
        `\ntrained ${r.steps} steps in ${formatDuration(r.seconds)}: ${lossSummary(r)}, ` +
          `${Math.round(r.tokensPerSecond)} tokens/s`,
      );
      if (r.memory) console.log(workerMemoryLines(r.memory));
      console.log(`checkpoint: ${r.checkpoint}\nloss curve: ${r.curve}`);
    }
    return 0;
  },
};
