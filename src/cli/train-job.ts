// The `train` job (Node): opens the run directory (io/training-run.ts), reads and tokenises the
// data (cached), builds the model (from a preset, from --init weights, or from the checkpoint
// being resumed), and trains, logging each step and saving checkpoints and the loss curve into
// the run. The CLI's flag parsing lives in train.ts.

import { existsSync } from 'node:fs';
import { GPT } from '../model/gpt.js';
import { gptPreset } from '../model/presets.js';
import type { GPTConfig, GPTConfigInput } from '../model/config.js';
import { manualSeed } from '../tensor/rng.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { splitTrainVal } from '../train/data.js';
import {
  train,
  type TrainConfig,
  type TrainResult,
  type TrainingState,
  type StepInfo,
  type EvalInfo,
} from '../train/trainer.js';
import type { OptimizerState } from '../train/optimizer.js';
import { lossCurveSvg, type CurvePoint } from '../train/loss-curve.js';
import { openRun, type RunConfig } from '../io/training-run.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { readTextSource, resolveTokenizer, tokenizeCached } from '../io/text-data.js';
import { atomicWriteFile } from '../io/atomic-write.js';
import { LlmfsError } from '../errors.js';

export interface TrainJobOptions extends RunConfig {
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

/** --init keeps the source's architecture: a model flag that disagrees with it is an error. */
function checkInitOverrides(init: string, config: GPTConfig, overrides: Partial<GPTConfigInput>): void {
  for (const [k, v] of Object.entries(overrides)) {
    const have = config[k as keyof GPTConfig];
    if (v !== undefined && v !== have) {
      const flag = `--${k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`;
      throw new LlmfsError(
        `train --init ${init}: ${flag} ${String(v)} does not match the model there ` +
          `(${k} ${String(have)}); drop the flag: with --init the architecture comes from the checkpoint`,
      );
    }
  }
}

export async function runTrainJob(o: TrainJobOptions): Promise<TrainJobResult> {
  const log = o.onLog ?? (() => {});
  const run = openRun(o.out);
  if (o.resume && o.init !== undefined) {
    const why = '--resume continues the run in --out, --init starts a new one';
    throw new LlmfsError(`train: --init and --resume do not mix: ${why}`);
  }
  if (o.resume) {
    // The data, its split and the training settings come from the run being resumed; only the
    // number of steps may change (to train further).
    const saved = run.readConfig();
    const steps = o.keepSavedSteps ? saved.train.steps : o.train.steps;
    o = {
      ...o,
      data: saved.data,
      maxChars: saved.maxChars,
      valFraction: saved.valFraction ?? o.valFraction,
      preset: saved.preset ?? o.preset,
      init: saved.init,
      train: { ...o.train, ...saved.train, steps },
    };
  }
  const source = readTextSource(o.data, o.maxChars);
  log(`data: ${source.name}, ${source.text.length.toLocaleString('en-US')} characters`);

  let model: GPT;
  let tokenizer: Tokenizer;
  let resume: { state: TrainingState; optimizer: OptimizerState } | undefined;
  if (o.resume) {
    const at = run.loadCheckpoint();
    ({ model, tokenizer } = at);
    resume = { state: at.state, optimizer: at.optimizer };
    log(`resuming from ${run.lastDir} at step ${at.state.step}`);
  } else if (o.init !== undefined) {
    const pre = loadPretrained(o.init);
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
  const { tokens, cached } = tokenizeCached(source.text, tokenizer, o.cacheDir);
  log(
    `tokens: ${tokens.length.toLocaleString('en-US')} (${tokenizer.kind} tokenizer, vocabulary ` +
      `${tokenizer.vocabSize}${cached ? ', from cache' : ''})`,
  );
  const data = splitTrainVal(tokens, o.valFraction);
  log(`model: ${model.numParameters().toLocaleString('en-US')} parameters, ${JSON.stringify(model.config)}`);

  const curve: { train: CurvePoint[]; evalTrain: CurvePoint[]; val: CurvePoint[] } = {
    train: [],
    evalTrain: [],
    val: [],
  };
  if (resume) {
    for (const r of run.trimLog(resume.state.step)) {
      if (r.loss !== undefined) curve.train.push({ step: r.step, loss: r.loss });
      if (r.valLoss !== undefined) curve.val.push({ step: r.step, loss: r.valLoss });
      if (r.trainLoss !== undefined) curve.evalTrain.push({ step: r.step, loss: r.trainLoss });
    }
  } else {
    run.writeConfig(o);
    run.resetLog();
  }
  const title = o.init !== undefined ? `from ${o.init}` : o.preset;
  const writeCurve = () =>
    atomicWriteFile(
      run.curveFile,
      lossCurveSvg(
        [
          { name: 'train (per step)', color: '#9ab', points: curve.train, width: 1 },
          { name: 'train (eval)', color: '#1f77b4', points: curve.evalTrain, width: 2 },
          { name: 'validation', color: '#d62728', points: curve.val, width: 2 },
        ],
        `loss: ${title}, ${tokenizer.kind} tokens`,
      ),
    );
  const losses: number[] = [];
  let lastSaved: string | null = o.resume ? run.lastDir : null;
  const trainConfig: TrainConfig = o.train;
  const result = train(
    model,
    data,
    trainConfig,
    {
      onStep(info) {
        losses.push(info.loss);
        curve.train.push({ step: info.step, loss: info.loss });
        run.appendLog(info);
        o.onStep?.(info);
      },
      onEval(info) {
        curve.evalTrain.push({ step: info.step, loss: info.trainLoss });
        curve.val.push({ step: info.step, loss: info.valLoss });
        run.appendLog(info);
        writeCurve();
        o.onEval?.(info);
      },
      onCheckpoint(kind, state, optimizer) {
        const dir = run.saveCheckpoint(kind, model, tokenizer, state, optimizer);
        if (kind === 'last') lastSaved = dir;
      },
      lastCheckpointPath: () => lastSaved,
    },
    resume,
  );
  writeCurve();
  const checkpoint = existsSync(run.bestDir) ? run.bestDir : run.lastDir;
  return { ...result, out: o.out, model, tokenizer, checkpoint, curve: run.curveFile, losses };
}
