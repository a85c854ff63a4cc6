// A training run on disk (Node): one directory holding everything `llmfs train` writes and
// `--resume` reads back. Layout:
//   run.json     the run's settings (data, model preset or --init source, training config)
//   last/  best/ checkpoints (model-checkpoint.ts) plus training_state.json and optimizer.safetensors
//   log.jsonl    one JSON object per step and per evaluation;  loss.svg  the loss curve
//   train.lock   while a training runs: its process id (one training per directory; run-lock.ts)

import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GPT } from '../model/gpt.js';
import type { GPTConfigInput } from '../model/config.js';
import type { Tokenizer } from '../tokenizer/types.js';
import type { RngState } from '../tensor/rng.js';
import type { TrainConfig } from '../train/config.js';
import type { TrainingState } from '../train/training-state.js';
import type { OptimizerState } from '../train/optimizer.js';
import { writeSafetensors } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { atomicWriteFile, fsReason, makeDirs } from './atomic-write.js';
import { RunLock } from './run-lock.js';
import type { TextEncodingName } from './text-data.js';
import { loadModel, saveModel, TRAINING_STATE_FILE } from './model-checkpoint.js';
import { LlmfsError } from '../errors.js';

export const RUN_FILE = 'run.json';
export const LOG_FILE = 'log.jsonl';
export const CURVE_FILE = 'loss.svg';
export const OPTIMIZER_STATE_FILE = 'optimizer.safetensors';
export const LOCK_FILE = 'train.lock';

/** The settings of a run, saved as run.json so --resume continues with the same ones. */
export interface RunConfig {
  /** The text: a file, a folder, or undefined for the bundled corpus. */
  data?: string;
  maxChars?: number;
  /** How the text files are read (text-data.ts; absent in runs saved before it: 'utf8'). */
  encoding?: TextEncodingName;
  /** The model preset (or, with `init`, a label for it). */
  preset: string;
  /** 'char', 'gpt2' or a tokenizer file/folder (with `init`: the source directory's own). */
  tokenizer: string;
  /** Model config fields that override the preset. */
  modelOverrides: Partial<GPTConfigInput>;
  /** The directory whose weights (and tokenizer) the run started from, if any. */
  init?: string;
  train: TrainConfig;
  valFraction: number;
}

/** One line of log.jsonl: a step ({ loss, lr, ... }) or an evaluation ({ trainLoss, valLoss }). */
export interface LogRecord {
  step: number;
  loss?: number;
  trainLoss?: number;
  valLoss?: number;
  [field: string]: unknown;
}

/** What `loadCheckpoint` gives back to continue a run exactly. */
export interface ResumePoint {
  model: GPT;
  tokenizer: Tokenizer;
  state: TrainingState;
  optimizer: OptimizerState;
  /** The directory actually read (last/, or its .previous after a killed save). */
  dir: string;
}

function isRng(x: unknown): x is RngState {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { s?: unknown; spare?: unknown };
  const word = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;
  const spareOk = r.spare === null || typeof r.spare === 'number';
  return Array.isArray(r.s) && r.s.length === 4 && r.s.every(word) && spareOk;
}

/** Checks a training_state.json read back from disk: every field a resume restores, or one clear error. */
export function parseTrainingState(raw: unknown, where: string): TrainingState {
  const bad = (what: string) => new LlmfsError(`${where}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('must hold a JSON object');
  const s = raw as Record<string, unknown>;
  if (!Number.isInteger(s.step) || (s.step as number) < 0) {
    throw bad(`"step" must be an integer >= 0, got ${JSON.stringify(s.step)}`);
  }
  if (typeof s.bestValLoss !== 'number' && s.bestValLoss !== null) {
    throw bad('"bestValLoss" must be a number');
  }
  const rngShape = 'is not a saved generator state ({ s: [4 integers], spare })';
  if (!('sourceState' in s) && !isRng(s.samplerRng)) throw bad(`"samplerRng" ${rngShape}`);
  if ('samplerRng' in s && !isRng(s.samplerRng)) throw bad(`"samplerRng" ${rngShape}`);
  if (!isRng(s.globalRng)) throw bad(`"globalRng" ${rngShape}`);
  const steps = s.optimizerSteps;
  const stepsOk =
    typeof steps === 'object' &&
    steps !== null &&
    !Array.isArray(steps) &&
    Object.values(steps).every((v) => Number.isInteger(v) && (v as number) >= 0);
  if (!stepsOk) throw bad('"optimizerSteps" must map parameter names to step counts');
  if (typeof s.config !== 'object' || s.config === null) {
    throw bad('"config" (the training settings) is missing');
  }
  // JSON has no Infinity: a run that never evaluated saved bestValLoss as null.
  const best = typeof s.bestValLoss === 'number' ? s.bestValLoss : Infinity;
  return { ...(s as unknown as TrainingState), bestValLoss: best };
}

export class TrainingRun {
  readonly runFile: string;
  readonly lastDir: string;
  readonly bestDir: string;
  readonly logFile: string;
  readonly curveFile: string;
  readonly lockFile: string;
  private readonly runLock: RunLock;

  constructor(readonly dir: string) {
    this.runFile = join(dir, RUN_FILE);
    this.lastDir = join(dir, 'last');
    this.bestDir = join(dir, 'best');
    this.logFile = join(dir, LOG_FILE);
    this.curveFile = join(dir, CURVE_FILE);
    this.lockFile = join(dir, LOCK_FILE);
    this.runLock = new RunLock(dir, this.lockFile);
  }

  /** Whether last/ holds a checkpoint (or the .previous a killed save left). */
  hasCheckpoint(): boolean {
    return existsSync(this.lastDir) || existsSync(`${this.lastDir}.previous`);
  }

  /** Whether the directory holds an earlier run's results (a checkpoint). */
  hasRun(): boolean {
    return this.hasCheckpoint() || existsSync(this.bestDir) || existsSync(`${this.bestDir}.previous`);
  }

  /**
   * Checks, without writing, that the run directory can be made: `dir` is a directory or can be
   * created (no file in the way). One clear error otherwise.
   */
  checkPath(): void {
    this.runLock.checkPath();
  }

  /**
   * Takes the run's lock (run-lock.ts): creates the directory and train.lock holding this process's
   * id. A lock whose process is gone (a killed run) is taken over; returns that process's id then.
   */
  lock(): { staleFrom: number | null } {
    return this.runLock.lock();
  }

  /** Gives the lock back (and removes the directories this run created if it left them empty). */
  unlock(): void {
    this.runLock.unlock();
  }

  /** Deletes an earlier run's files (--force): checkpoints, run.json, log and curve. */
  clear(): void {
    const names = [RUN_FILE, LOG_FILE, CURVE_FILE];
    for (const d of ['last', 'best']) names.push(d, `${d}.previous`, `${d}.saving`);
    try {
      for (const n of names) rmSync(join(this.dir, n), { recursive: true, force: true });
    } catch (err) {
      throw new LlmfsError(`train --force: cannot delete the earlier run in ${this.dir} (${fsReason(err)})`);
    }
  }

  /** The run's settings, from run.json, checked. */
  readConfig(): RunConfig {
    if (!existsSync(this.runFile)) {
      throw new LlmfsError(`train --resume: ${this.runFile} not found; train without --resume first`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.runFile, 'utf8'));
    } catch (err) {
      const why = (err as Error).message.slice(0, 100);
      throw new LlmfsError(`train --resume: ${this.runFile} is not valid JSON (${why})`);
    }
    const r = raw as Partial<RunConfig> | null;
    if (typeof r !== 'object' || r === null || typeof r.train !== 'object' || r.train === null) {
      throw new LlmfsError(`train --resume: ${this.runFile} must hold a JSON object with "train" settings`);
    }
    return r as RunConfig;
  }

  writeConfig(c: RunConfig): void {
    makeDirs(this.dir, 'train: --out');
    const { data, maxChars, encoding, preset, tokenizer, modelOverrides, init, train, valFraction } = c;
    const fields = { data, maxChars, encoding, preset, tokenizer, modelOverrides, init, train, valFraction };
    atomicWriteFile(this.runFile, `${JSON.stringify(fields, null, 2)}\n`);
  }

  /** Saves the model, its tokenizer and the state to resume from into last/ or best/. */
  saveCheckpoint(
    kind: 'last' | 'best',
    model: GPT,
    tokenizer: Tokenizer,
    state: TrainingState,
    optimizer: OptimizerState,
  ): string {
    const dir = kind === 'last' ? this.lastDir : this.bestDir;
    const extraFiles = { [OPTIMIZER_STATE_FILE]: writeSafetensors(optimizer.tensors) };
    saveModel(dir, model, { tokenizer, trainingState: state, extraFiles });
    return dir;
  }

  /** Reads last/ back: model, tokenizer, training state and optimizer moments, each checked. */
  loadCheckpoint(): ResumePoint {
    const last = this.lastDir;
    if (!this.hasCheckpoint()) {
      throw new LlmfsError(`train --resume: no checkpoint at ${last}; train without --resume first`);
    }
    const saved = loadModel(last);
    if (!saved.tokenizer) throw new LlmfsError(`train --resume: ${last} has no tokenizer.json`);
    if (!saved.trainingState) throw new LlmfsError(`train --resume: ${last} has no ${TRAINING_STATE_FILE}`);
    const state = parseTrainingState(saved.trainingState, `checkpoint ${last}: ${TRAINING_STATE_FILE}`);
    const optPath = join(saved.dir, OPTIMIZER_STATE_FILE);
    const opt = readSafetensorsFile(optPath, `checkpoint ${last}: ${OPTIMIZER_STATE_FILE}`);
    const optimizer = { tensors: opt.tensors, steps: state.optimizerSteps };
    return { model: saved.model, tokenizer: saved.tokenizer, state, optimizer, dir: saved.dir };
  }

  /** Starts an empty log. */
  resetLog(): void {
    makeDirs(this.dir, 'train: --out');
    atomicWriteFile(this.logFile, '');
  }

  appendLog(record: object): void {
    try {
      appendFileSync(this.logFile, `${JSON.stringify(record)}\n`);
    } catch (err) {
      throw new LlmfsError(`${this.logFile}: cannot append (${fsReason(err)})`);
    }
  }

  /** The log's records, in order, skipping a line cut by a killed run (read only). */
  readLog(): LogRecord[] {
    if (!existsSync(this.logFile)) return [];
    const records: LogRecord[] = [];
    for (const line of readFileSync(this.logFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as LogRecord;
        if (typeof r === 'object' && r !== null && typeof r.step === 'number') records.push(r);
      } catch {
        // a line cut by a killed run
      }
    }
    return records;
  }

  /**
   * Keeps the log up to `step` (the checkpoint being resumed: steps logged after it are about to
   * be trained again) and drops a line cut by a killed run; returns the records kept.
   */
  trimLog(step: number): LogRecord[] {
    if (!existsSync(this.logFile)) {
      this.resetLog();
      return [];
    }
    const records = this.readLog().filter((r) => r.step <= step);
    atomicWriteFile(this.logFile, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    return records;
  }
}

/** The run in `dir` (nothing is read or written until asked). */
export function openRun(dir: string): TrainingRun {
  return new TrainingRun(dir);
}
