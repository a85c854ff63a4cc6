// The `train` job (Node): checks every setting, takes the run directory's lock, reads and
// tokenises the data (cached), builds the model (from a preset, from --init weights, or from the
// checkpoint being resumed), and only then writes into the run: it trains, logging each step and
// saving checkpoints and the loss curve. Flags: train.ts; resume, --init and split checks:
// train-checks.ts.

import { existsSync } from 'node:fs';
import { GPT } from '../model/gpt.js';
import { moeSummary } from '../model/moe.js';
import { gptPreset } from '../model/presets.js';
import { manualSeed } from '../tensor/rng.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { splitTrainVal, type TokenArray } from '../train/data.js';
import { trainConfig } from '../train/config.js';
import { checkTrainingMemory } from '../train/memory-plan.js';
import {
  trainAsync,
  type TrainConfig,
  type TrainResult,
  type TrainingState,
  type StepInfo,
  type EvalInfo,
} from '../train/trainer.js';
import type { OptimizerState } from '../train/optimizer.js';
import { RunCurve } from './run-curve.js';
import { openRun, type RunConfig, type TrainingRun } from '../io/training-run.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { readTextSource, resolveTokenizer, tokenizeCached } from '../io/text-data.js';
import { LlmfsError } from '../errors.js';
import { trainDataParallel, workersProblem } from '../parallel/data-parallel.js';
import { spawnNodeRank } from '../parallel/spawn-node.js';
import type { WorkerMemory } from '../parallel/memory.js';
import { healthMonitor, probeWindows } from '../diagnose/training-health.js';
import { appendDiagnostics, removeDiagnostics, trimDiagnostics } from '../io/run-diagnostics.js';
import {
  checkFlagMix,
  checkInitOverrides,
  checkSplit,
  memoryBudget,
  resumeSettings,
} from './train-checks.js';

export { RESUME_MAY_CHANGE, memoryBudget } from './train-checks.js';

export interface TrainJobOptions extends Omit<RunConfig, 'train'> {
  /** Training settings; those not given take their defaults (resume: the saved run's). */
  train: Partial<TrainConfig>;
  out: string;
  /** Continue the run in `out` from its last checkpoint. */
  resume: boolean;
  /** Replace an earlier run in `out` (without it, a directory holding a run is refused). */
  force?: boolean;
  cacheDir: string | null;
  /**
   * With resume: the settings asked for (names of RunConfig, TrainConfig or model config fields,
   * e.g. the CLI's given flags); the others keep the saved run's. Default: every one given here.
   */
  asked?: ReadonlySet<string>;
  /** How messages name a setting (the CLI names its flag: lr -> --lr). */
  flagName?: (field: string) => string;
  /**
   * Log training health to diagnostics.jsonl (src/diagnose/training-health.ts). With resume,
   * unset: go on as the run did (on if it has a diagnostics.jsonl).
   */
  diagnostics?: boolean;
  /** Stops the run after the current step, with a checkpoint (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  /** Data parallel: worker threads, each taking batchSize / workers rows (default 1: this thread). */
  workers?: number;
  /** With workers > 1: 1 shards the AdamW moments across them (ZeRO-1). */
  zero?: 0 | 1;
  /** Called once the settings are final, before the first step (resume: the saved ones, merged). */
  onStart?(info: { config: TrainConfig; step: number }): void;
  onStep?(info: StepInfo): void;
  onEval?(info: EvalInfo): void;
  onEvalProgress?(done: number, total: number): void;
  onLog?(message: string): void;
}

export interface TrainJobResult extends TrainResult {
  out: string;
  model: GPT;
  tokenizer: Tokenizer;
  /** best/ if it exists, else last/ (which may not exist if the run stopped before its first step). */
  checkpoint: string;
  /** The last checkpoint written or resumed from, or null if none exists. */
  lastCheckpoint: string | null;
  curve: string;
  losses: number[];
  /** A resumed run that had already reached its steps: nothing was trained or written. */
  finished: boolean;
  /** The training settings used (resume: the saved ones with the changes asked for). */
  config: TrainConfig;
  /** With workers > 1: the bytes each worker held, by rank (src/parallel/memory.ts). */
  memory?: WorkerMemory[];
}

/** The options with every training setting settled (defaults filled, or the resumed run's). */
type Settled = TrainJobOptions & { train: TrainConfig };

export async function runTrainJob(o: TrainJobOptions): Promise<TrainJobResult> {
  const log = o.onLog ?? (() => {});
  const name = o.flagName ?? ((k: string) => k);
  checkFlagMix(o);
  // Everything that needs no file is checked before the run directory is touched.
  const settled: Settled | null = o.resume
    ? null
    : { ...o, train: trainConfig(o.train, { label: 'train', flagName: name }) };
  if (!(o.valFraction >= 0 && o.valFraction < 1)) {
    throw new LlmfsError(`train: ${name('valFraction')} must be in [0, 1), got ${o.valFraction}`);
  }
  const run = openRun(o.out);
  const { staleFrom } = run.lock();
  try {
    if (staleFrom !== null) {
      log(`${run.lockFile}: taken over from process ${staleFrom}, which is no longer running`);
    }
    return await trainLocked(run, o, settled, log, name);
  } finally {
    run.unlock();
  }
}

async function trainLocked(
  run: TrainingRun,
  asked: TrainJobOptions,
  settled: Settled | null,
  log: (message: string) => void,
  name: (field: string) => string,
): Promise<TrainJobResult> {
  let saved: { model: GPT; tokenizer: Tokenizer } | undefined;
  let resume: { state: TrainingState; optimizer: OptimizerState } | undefined;
  let changes: string[] = [];
  let o: Settled;
  if (settled === null) {
    // The data, its split and the settings come from the run being resumed; the ones in
    // RESUME_MAY_CHANGE may be changed.
    const savedRun = run.readConfig();
    const at = run.loadCheckpoint();
    saved = at;
    resume = { state: at.state, optimizer: at.optimizer };
    let settings: RunConfig;
    ({ settings, changes } = resumeSettings(savedRun, at.state.step, at.model.config, asked, name));
    o = {
      ...asked,
      ...settings,
      init: savedRun.init,
      valFraction: savedRun.valFraction ?? asked.valFraction,
    };
    if (at.state.step >= o.train.steps) {
      // Already done: say so, train nothing, write nothing.
      const evals = run.readLog().filter((r) => r.trainLoss !== undefined);
      const last = evals[evals.length - 1];
      return {
        steps: at.state.step,
        trainLoss: last?.trainLoss ?? NaN,
        valLoss: last?.valLoss ?? NaN,
        bestValLoss: at.state.bestValLoss,
        seconds: 0,
        tokensPerSecond: 0,
        stopped: false,
        finished: true,
        out: o.out,
        model: at.model,
        tokenizer: at.tokenizer,
        checkpoint: existsSync(run.bestDir) ? run.bestDir : run.lastDir,
        lastCheckpoint: run.lastDir,
        curve: run.curveFile,
        losses: [],
        config: o.train,
      };
    }
  } else if (run.hasRun() && !settled.force) {
    throw new LlmfsError(
      `train: ${settled.out} already holds a run; continue it with --resume, replace it with --force, ` +
        'or choose another --out',
    );
  } else {
    o = settled;
  }
  const source = readTextSource(o.data, o.maxChars, { encoding: o.encoding });
  log(`data: ${source.name}, ${source.text.length.toLocaleString('en-US')} characters`);

  let model: GPT;
  let tokenizer: Tokenizer;
  if (saved && resume) {
    ({ model, tokenizer } = saved);
    log(`resuming from ${run.lastDir} at step ${resume.state.step}`);
  } else if (o.init !== undefined) {
    const pre = loadPretrained(o.init, { forTraining: 'train --init' });
    if (!pre.tokenizer) {
      const want = 'tokenizer.json, or vocab.json + merges.txt';
      throw new LlmfsError(`train --init ${o.init}: the directory has no tokenizer (${want})`);
    }
    checkInitOverrides(o.init, pre.model.config, o.modelOverrides);
    ({ model, tokenizer } = pre);
    manualSeed(o.train.seed);
    log(`starting from the weights in ${o.init} (${pre.format}), with a fresh optimizer`);
  } else {
    tokenizer = await resolveTokenizer(o.tokenizer, source.text);
    manualSeed(o.train.seed);
    model = new GPT(gptPreset(o.preset, { vocabSize: tokenizer.vocabSize, ...o.modelOverrides }));
  }
  const workers = o.workers ?? 1;
  if (workers !== 1 || (o.zero ?? 0) !== 0) {
    const problem = workersProblem(workers, o.train.batchSize, name);
    if (problem) throw new LlmfsError(`train: ${problem}`);
    if (o.zero !== undefined && o.zero !== 0 && o.zero !== 1)
      throw new LlmfsError(`train: ${name('zero')} must be 0 or 1, got ${o.zero}`);
    if (o.zero === 1 && workers < 2)
      throw new LlmfsError(`train: ${name('zero')} 1 needs ${name('workers')} 2 or more`);
    if (o.zero === 1 && o.train.optimizer !== 'adamw')
      throw new LlmfsError(`train: ${name('zero')} 1 shards AdamW's moments; use ${name('optimizer')} adamw`);
    if (o.diagnostics)
      throw new LlmfsError(`train: ${name('diagnostics')} does not work with ${name('workers')} > 1`);
  }
  // A run that cannot fit in memory is refused here, before anything is written (memory-plan.ts).
  const { batchSize, gradAccum, optimizer, momentum } = o.train;
  checkTrainingMemory(model.config, { batchSize, gradAccum, optimizer, momentum }, memoryBudget(), 'train');
  const { tokens, cached } = tokenizeCached(source.text, tokenizer, o.cacheDir);
  log(
    `tokens: ${tokens.length.toLocaleString('en-US')} (${tokenizer.kind} tokenizer, vocabulary ` +
      `${tokenizer.vocabSize}${cached ? ', from cache' : ''})`,
  );
  const data = splitTrainVal(tokens, o.valFraction);
  checkSplit(data, model.config.blockSize, o.valFraction, name);
  log(`model: ${model.numParameters().toLocaleString('en-US')} parameters, ${JSON.stringify(model.config)}`);
  if (data.val.length === 0) {
    log(
      `no validation split (${name('valFraction')} 0): evaluations report the train loss, and best/ ` +
        'is chosen by it',
    );
  }
  return trainChecked(run, o, model, tokenizer, data, resume, changes, log);
}

/** The writing part: the run's files, then the loop (all settings and data checked by now). */
async function trainChecked(
  run: TrainingRun,
  o: Settled,
  model: GPT,
  tokenizer: Tokenizer,
  data: { train: TokenArray; val: TokenArray },
  resume: { state: TrainingState; optimizer: OptimizerState } | undefined,
  changes: string[],
  log: (message: string) => void,
): Promise<TrainJobResult> {
  const title = o.init !== undefined ? `from ${o.init}` : o.preset;
  const curve = new RunCurve(run.curveFile, `loss: ${title}, ${tokenizer.kind} tokens`);
  if (resume) {
    for (const change of changes) log(`resume: ${change}`);
    if (changes.length > 0) run.writeConfig(o);
    for (const r of run.trimLog(resume.state.step)) curve.add(r);
    const had = trimDiagnostics(run.dir, resume.state.step);
    if (o.diagnostics === false) removeDiagnostics(run.dir);
    else if (had) o = { ...o, diagnostics: true };
  } else {
    removeDiagnostics(run.dir);
    if (run.hasRun()) {
      log(`${o.out}: replacing the earlier run there (its checkpoints, log and settings)`);
      run.clear();
    }
    run.writeConfig(o);
    run.resetLog();
  }
  const losses: number[] = [];
  let lastSaved: string | null = o.resume ? run.lastDir : null;
  const config: TrainConfig = o.train;
  // The probe batch: windows spread over the validation split (the train split without one).
  const T = model.config.blockSize;
  const probe = () =>
    probeWindows(data.val.length > T ? data.val : data.train, T, Math.min(config.batchSize, 8));
  const onUpdate = o.diagnostics
    ? healthMonitor(model, probe(), (r) => appendDiagnostics(run.dir, r))
    : undefined;
  o.onStart?.({ config, step: resume?.state.step ?? 0 });
  let result: TrainResult & { memory?: WorkerMemory[] };
  const workers = o.workers ?? 1;
  if (workers > 1) {
    const zero = o.zero === 1 ? ', ZeRO-1' : '';
    log(`data parallel: ${workers} workers x ${config.batchSize / workers} sequences${zero}`);
  }
  const train: typeof trainAsync = (m, d, c, cb, r) =>
    workers > 1
      ? trainDataParallel(m, d, c ?? {}, cb ?? {}, r, {
          workers,
          zero: o.zero ?? 0,
          spawn: spawnNodeRank,
          flagName: o.flagName,
        })
      : trainAsync(m, d, c, cb, r);
  try {
    result = await train(
      model,
      data,
      config,
      {
        onStep(info) {
          losses.push(info.loss);
          curve.add(info);
          // A mixture of experts logs its expert utilisation with each step (moe.ts).
          const moe = moeSummary(model.moeStats());
          run.appendLog(moe ? { ...info, moe } : info);
          o.onStep?.(info);
        },
        onEval(info) {
          curve.add(info);
          run.appendLog(info);
          curve.write();
          o.onEval?.(info);
        },
        onEvalProgress: o.onEvalProgress,
        onCheckpoint(kind, state, optimizer) {
          const dir = run.saveCheckpoint(kind, model, tokenizer, state, optimizer);
          if (kind === 'last') lastSaved = dir;
        },
        lastCheckpointPath: () => lastSaved,
        signal: o.signal,
        onUpdate,
      },
      resume,
    );
    curve.write();
  } catch (err) {
    // A file error (a full disk, a vanished directory) mid-run: say where the run can go on from.
    if (err instanceof LlmfsError && !err.message.includes('checkpoint is')) {
      const saved = lastSaved
        ? `the last good checkpoint is ${lastSaved} (continue with --resume)`
        : 'no checkpoint was saved yet';
      throw new LlmfsError(`${err.message}; ${saved}`);
    }
    throw err;
  }
  const checkpoint = existsSync(run.bestDir) ? run.bestDir : run.lastDir;
  return {
    ...result,
    out: o.out,
    model,
    tokenizer,
    checkpoint,
    lastCheckpoint: lastSaved,
    curve: run.curveFile,
    losses,
    finished: false,
    config,
  };
}
