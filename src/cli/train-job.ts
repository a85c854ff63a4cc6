// The `train` job (Node): reads and tokenises the data (cached), builds or resumes the model,
// runs the training loop, and writes checkpoints (last/ and best/), a JSONL log and the loss
// curve into the output directory. The CLI's flag parsing lives in train.ts.

import { existsSync, mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { GPT } from '../model/gpt.js';
import { gptPreset } from '../model/presets.js';
import type { GPTConfigInput } from '../model/config.js';
import { manualSeed } from '../tensor/rng.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { splitTrainVal } from '../train/data.js';
import { train, type TrainConfig, type TrainResult, type TrainingState, type StepInfo, type EvalInfo } from '../train/trainer.js';
import type { OptimizerState } from '../train/optimizer.js';
import { lossCurveSvg, type CurvePoint } from '../train/loss-curve.js';
import { parseTrainingState } from '../train/training-state.js';
import { saveModel, loadModel, OPTIMIZER_STATE_FILE } from '../io/model-checkpoint.js';
import { readTextSource, resolveTokenizer, tokenizeCached } from '../io/text-data.js';
import { writeSafetensors } from '../io/safetensors.js';
import { readSafetensorsFile } from '../io/safetensors-file.js';
import { atomicWriteFile } from '../io/atomic-write.js';
import { LlmfsError } from '../errors.js';

export interface TrainJobOptions {
  data?: string;
  maxChars?: number;
  preset: string;
  tokenizer: string;
  /** Model config fields that override the preset. */
  modelOverrides: Partial<GPTConfigInput>;
  train: TrainConfig;
  valFraction: number;
  out: string;
  resume: boolean;
  cacheDir: string | null;
  onStep?(info: StepInfo): void;
  onEval?(info: EvalInfo): void;
  onLog?(message: string): void;
  /** With resume: train to the saved run's total instead of train.steps. */
  keepSavedSteps?: boolean;
}

export interface TrainJobResult extends TrainResult {
  out: string;
  model: GPT;
  tokenizer: Tokenizer;
  checkpoint: string;
  curve: string;
  losses: number[];
}

export async function runTrainJob(o: TrainJobOptions): Promise<TrainJobResult> {
  const log = o.onLog ?? (() => {});
  const lastDir = join(o.out, 'last');
  const bestDir = join(o.out, 'best');
  const logFile = join(o.out, 'log.jsonl');
  const curveFile = join(o.out, 'loss.svg');
  const runFile = join(o.out, 'run.json');
  if (o.resume) {
    // The data, its split and the training settings come from the run being resumed; only the
    // number of steps may change (to train further).
    if (!existsSync(runFile)) throw new LlmfsError(`train --resume: ${runFile} not found; train without --resume first`);
    let saved: Partial<TrainJobOptions>;
    try {
      saved = JSON.parse(readFileSync(runFile, 'utf8')) as Partial<TrainJobOptions>;
    } catch (err) {
      throw new LlmfsError(`train --resume: ${runFile} is not valid JSON (${(err as Error).message.slice(0, 100)})`);
    }
    const steps = o.keepSavedSteps && saved.train ? saved.train.steps : o.train.steps;
    o = { ...o, data: saved.data, maxChars: saved.maxChars, valFraction: saved.valFraction ?? o.valFraction, train: { ...o.train, ...saved.train, steps } };
  }
  const source = readTextSource(o.data, o.maxChars);
  log(`data: ${source.name}, ${source.text.length.toLocaleString('en-US')} characters`);

  let model: GPT;
  let tokenizer: Tokenizer;
  let resume: { state: TrainingState; optimizer: OptimizerState } | undefined;
  if (o.resume) {
    if (!existsSync(lastDir) && !existsSync(`${lastDir}.previous`)) throw new LlmfsError(`train --resume: no checkpoint at ${lastDir}; train without --resume first`);
    const saved = loadModel(lastDir);
    if (!saved.tokenizer) throw new LlmfsError(`train --resume: ${lastDir} has no tokenizer.json`);
    if (!saved.trainingState) throw new LlmfsError(`train --resume: ${lastDir} has no training_state.json`);
    model = saved.model;
    tokenizer = saved.tokenizer;
    const state = parseTrainingState(saved.trainingState, `checkpoint ${lastDir}: training_state.json`);
    const opt = readSafetensorsFile(join(saved.dir, OPTIMIZER_STATE_FILE), `checkpoint ${lastDir}: ${OPTIMIZER_STATE_FILE}`);
    resume = { state, optimizer: { tensors: opt.tensors, steps: state.optimizerSteps } };
    log(`resuming from ${lastDir} at step ${state.step}`);
  } else {
    tokenizer = await resolveTokenizer(o.tokenizer, source.text);
    manualSeed(o.train.seed);
    model = new GPT(gptPreset(o.preset, { vocabSize: tokenizer.vocabSize, ...o.modelOverrides }));
  }
  const { tokens, cached } = tokenizeCached(source.text, tokenizer, o.cacheDir);
  log(`tokens: ${tokens.length.toLocaleString('en-US')} (${tokenizer.kind} tokenizer, vocabulary ${tokenizer.vocabSize}${cached ? ', from cache' : ''})`);
  const data = splitTrainVal(tokens, o.valFraction);
  log(`model: ${model.numParameters().toLocaleString('en-US')} parameters, ${JSON.stringify(model.config)}`);

  mkdirSync(o.out, { recursive: true });
  if (!o.resume) {
    const { data: d, maxChars, preset, tokenizer: tk, modelOverrides, train: tc, valFraction } = o;
    atomicWriteFile(runFile, `${JSON.stringify({ data: d, maxChars, preset, tokenizer: tk, modelOverrides, train: tc, valFraction }, null, 2)}\n`);
  }
  const curve: { train: CurvePoint[]; evalTrain: CurvePoint[]; val: CurvePoint[] } = { train: [], evalTrain: [], val: [] };
  if (o.resume && existsSync(logFile)) {
    // Keep the log up to the checkpoint: steps logged after it are about to be trained again.
    const kept: string[] = [];
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as { step: number; loss?: number; trainLoss?: number; valLoss?: number };
        if (resume && r.step > resume.state.step) continue;
        kept.push(line);
        if (r.loss !== undefined) curve.train.push({ step: r.step, loss: r.loss });
        if (r.valLoss !== undefined) curve.val.push({ step: r.step, loss: r.valLoss });
        if (r.trainLoss !== undefined) curve.evalTrain.push({ step: r.step, loss: r.trainLoss });
      } catch {
        // A line cut by a killed run: skip it.
      }
    }
    atomicWriteFile(logFile, kept.map((l) => `${l}\n`).join(''));
  } else {
    atomicWriteFile(logFile, '');
  }
  const writeCurve = () =>
    atomicWriteFile(curveFile, lossCurveSvg([
      { name: 'train (per step)', color: '#9ab', points: curve.train, width: 1 },
      { name: 'train (eval)', color: '#1f77b4', points: curve.evalTrain, width: 2 },
      { name: 'validation', color: '#d62728', points: curve.val, width: 2 },
    ], `loss: ${o.preset}, ${tokenizer.kind} tokens`));
  const losses: number[] = [];
  let lastSaved: string | null = o.resume ? lastDir : null;
  const result = train(model, data, o.train, {
    onStep(info) {
      losses.push(info.loss);
      curve.train.push({ step: info.step, loss: info.loss });
      appendFileSync(logFile, `${JSON.stringify(info)}\n`);
      o.onStep?.(info);
    },
    onEval(info) {
      curve.evalTrain.push({ step: info.step, loss: info.trainLoss });
      curve.val.push({ step: info.step, loss: info.valLoss });
      appendFileSync(logFile, `${JSON.stringify(info)}\n`);
      writeCurve();
      o.onEval?.(info);
    },
    onCheckpoint(kind, state, optimizer) {
      const dir = kind === 'last' ? lastDir : bestDir;
      saveModel(dir, model, { tokenizer, trainingState: state, extraFiles: { [OPTIMIZER_STATE_FILE]: writeSafetensors(optimizer.tensors) } });
      if (kind === 'last') lastSaved = dir;
    },
    lastCheckpointPath: () => lastSaved,
  }, resume);
  writeCurve();
  return { ...result, out: o.out, model, tokenizer, checkpoint: existsSync(bestDir) ? bestDir : lastDir, curve: curveFile, losses };
}
