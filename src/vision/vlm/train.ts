// Training a vision-language model on generated scenes (portable: scenes are drawn and rendered
// in memory by sceneExample). Each step draws a batch of training scenes by a seeded Rng, runs
// teacher forcing (sequences.ts: captions, or one question per scene with only its answer
// scored), and takes an AdamW step (Loshchilov & Hutter, 2019) after clipping the gradient norm,
// with linear warm-up and cosine decay. Same model seed, options and seed: the same losses.

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import { stack } from '../../tensor/ops/layout.js';
import { BufferArena } from '../../tensor/arena.js';
import { AdamW } from '../../train/adamw.js';
import { makeSchedule } from '../../train/schedule.js';
import { clipGradNorm } from '../../train/clip.js';
import { decayGroups } from '../../train/param-groups.js';
import { LlmfsError } from '../../errors.js';
import { imageToTensor } from '../to-tensor.js';
import { sceneExample } from '../scenes/dataset.js';
import type { SceneOptions } from '../scenes/scene.js';
import type { Split } from '../scenes/splits.js';
import type { WordTokenizer } from '../text/word-tokenizer.js';
import type { VisionLanguageModel } from './types.js';
import { captionExample, textBatch, vqaExample, type TextExample, type VlmTask } from './sequences.js';

export interface VlmTrainOptions {
  task: VlmTask;
  /**
   * Optimizer steps (default 2400: 3.5-6 minutes of captions on one core here). The prefix
   * kind's caption loss sits near 0.3 (grammar learnt, colour and shape guessed) for several
   * hundred steps before it falls; 1200 steps stopped some runs on that plateau (config.ts).
   */
  steps?: number;
  /** Scenes per step (default 16). */
  batchSize?: number;
  /** Peak learning rate (default 3e-3), reached after warmupSteps (default steps / 10). */
  lr?: number;
  warmupSteps?: number;
  /** AdamW's decoupled weight decay (default 0.01; not on biases, norms and tables). */
  weightDecay?: number;
  /** Largest gradient norm (default 1; 0 turns clipping off). */
  gradClip?: number;
  /** Seed of the batch order (default 0). */
  seed?: number;
  /** Scenes are drawn from train indices 0..trainScenes-1 (default 1e6: nearly all fresh). */
  trainScenes?: number;
  /** The scene generator's options; the size must be the model's image size (default 48). */
  scenes?: SceneOptions;
  /**
   * How 'mixed' weighs its two tasks: 'per-token' (default) takes one mean over every scored token;
   * 'per-task' averages the captions' mean loss and the answers' mean loss (measured worse: see
   * taskBatches).
   */
  mixedLoss?: 'per-task' | 'per-token';
  /**
   * Questions ('vqa', and the question rows of 'mixed') are answered after describing the scene:
   * the target is the caption, <sep>, then the answer (sequences.ts). Default false.
   */
  describeFirst?: boolean;
  /** Called after every step (it may evaluate the model: the next step sets training mode again). */
  onStep?: (step: number, loss: number, lr: number) => void;
  /** Aborting it stops training after the current step (trainVlmAsync sees it between steps). */
  signal?: { readonly aborted: boolean };
}

export interface VlmTrainResult {
  /** The training loss of every step taken. */
  losses: number[];
  seconds: number;
  /** True when `signal` stopped training before `steps`. */
  stopped: boolean;
}

/** A batch of `indices` of `split`: images (B, 3, H, W) and the task's text. */
export function sceneBatch(
  tok: WordTokenizer,
  task: VlmTask,
  split: Split,
  indices: readonly number[],
  rng: Rng,
  scenes: SceneOptions = {},
  describeFirst = false,
): { images: Tensor; ids: Tensor; targets: Tensor } {
  const images: Tensor[] = [];
  const texts: TextExample[] = [];
  indices.forEach((i, row) => {
    const ex = sceneExample(split, i, scenes);
    images.push(imageToTensor(ex.image)); // (3, H, W)
    if (task === 'caption' || (task === 'mixed' && row % 2 === 0))
      texts.push(captionExample(tok, ex.record.caption));
    else {
      const qa = ex.record.questions[rng.randint(0, ex.record.questions.length)];
      texts.push(vqaExample(tok, qa.question, qa.answer, describeFirst ? ex.record.caption : undefined));
    }
  });
  return { images: stack(images), ...textBatch(texts, tok.padId) }; // (B, 3, H, W), (B, T), (B, T)
}

/**
 * The step's batches. 'mixed' with 'per-token' (the default): sceneBatch's alternate rows, one mean
 * over every scored token, so captions (about 21.6 scored tokens a row) carry about 90% of the
 * loss and the answers (about 2.2) 10%. With 'per-task': the first half of the scenes captioned,
 * the second half asked one question each, as two batches whose mean losses are averaged.
 * Measured once each (defaults, seed 0, 200 test scenes): 'per-task' did worse for both kinds;
 * prefix captions' colour 11% (per-token 98.7%) and VQA 51% (56%); cross captions' colour 19%
 * (65%) and VQA 57% (65%): weighing the answers up slowed the captions without helping the answers.
 */
function taskBatches(
  tok: WordTokenizer,
  task: VlmTask,
  indices: readonly number[],
  rng: Rng,
  scenes: SceneOptions,
  mixedLoss: 'per-task' | 'per-token',
  describeFirst: boolean,
): { images: Tensor; ids: Tensor; targets: Tensor }[] {
  if (task !== 'mixed' || mixedLoss === 'per-token' || indices.length < 2)
    return [sceneBatch(tok, task, 'train', indices, rng, scenes, describeFirst)];
  const half = Math.ceil(indices.length / 2);
  return [
    sceneBatch(tok, 'caption', 'train', indices.slice(0, half), rng, scenes),
    sceneBatch(tok, 'vqa', 'train', indices.slice(half), rng, scenes, describeFirst),
  ];
}

/** Trains `model` for `o.steps` steps (or until `o.signal` aborts), on one thread, never yielding. */
export function trainVlm(model: VisionLanguageModel, tok: WordTokenizer, o: VlmTrainOptions): VlmTrainResult {
  const loop = vlmTrainLoop(model, tok, o);
  for (;;) {
    const r = loop.next();
    if (r.done) return r.value;
  }
}

/**
 * trainVlm, giving the event loop a turn after every step, so a Stop button or Ctrl-C can abort
 * `o.signal` while it runs. The same options give the same losses as trainVlm.
 */
export async function trainVlmAsync(
  model: VisionLanguageModel,
  tok: WordTokenizer,
  o: VlmTrainOptions,
): Promise<VlmTrainResult> {
  const loop = vlmTrainLoop(model, tok, o);
  for (;;) {
    const r = loop.next();
    if (r.done) return r.value;
    await new Promise((done) => setTimeout(done, 0));
  }
}

/** The steps themselves, pausing (yield) after each; trainVlm and trainVlmAsync drive them. */
function* vlmTrainLoop(
  model: VisionLanguageModel,
  tok: WordTokenizer,
  o: VlmTrainOptions,
): Generator<void, VlmTrainResult> {
  const steps = o.steps ?? 2400;
  const batchSize = o.batchSize ?? 16;
  const lr = o.lr ?? 3e-3;
  const trainScenes = o.trainScenes ?? 1_000_000;
  if (o.task !== 'caption' && o.task !== 'vqa' && o.task !== 'mixed')
    throw new LlmfsError(`vlm train: task must be 'caption', 'vqa' or 'mixed', got '${String(o.task)}'`);
  for (const [k, v] of [
    ['steps', steps],
    ['batchSize', batchSize],
    ['trainScenes', trainScenes],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new LlmfsError(`vlm train: ${k} must be a positive integer, got ${v}`);
  const size = o.scenes?.size ?? 48;
  const { imageHeight: H, imageWidth: W } = model.config.vit;
  if (size !== H || size !== W)
    throw new LlmfsError(`vlm train: scenes of ${size}x${size} do not fit the model's ${H}x${W} images`);
  const scenes = { ...o.scenes, size };
  // Warm-up for a tenth of the steps by default; cosine needs at least one step after it.
  const warmupSteps = o.warmupSteps ?? Math.min(Math.max(1, Math.floor(steps / 10)), steps - 1);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || warmupSteps >= steps)
    throw new LlmfsError(
      `vlm train: warmupSteps must be an integer from 0 to steps - 1 = ${steps - 1}, got ${warmupSteps}`,
    );
  const schedule = makeSchedule({ kind: 'cosine', lr, warmupSteps, totalSteps: steps });
  const opt = new AdamW(decayGroups(model, o.weightDecay ?? 0.01), {
    lr,
    weightDecay: o.weightDecay ?? 0.01,
  });
  const params = model.parameters();
  const rng = new Rng(o.seed ?? 0);
  const arena = new BufferArena();
  const losses: number[] = [];
  const t0 = Date.now();
  try {
    for (let step = 0; step < steps && !o.signal?.aborted; step++) {
      model.train(); // onStep may have evaluated it
      const indices = Array.from({ length: batchSize }, () => rng.randint(0, trainScenes));
      const batches = taskBatches(
        tok,
        o.task,
        indices,
        rng,
        scenes,
        o.mixedLoss ?? 'per-token',
        o.describeFirst ?? false,
      );
      const T = Math.max(...batches.map((b) => b.ids.shape[1]));
      if (T > model.config.maxText)
        throw new LlmfsError(
          `vlm train: a ${o.describeFirst ? 'described ' : ''}sequence of ${T} tokens does not fit ` +
            `the model's text window (maxText ${model.config.maxText}); raise maxText or draw fewer objects`,
        );
      opt.zeroGrad();
      const loss = arena.run(() => {
        const parts = batches.map((b) => model.forward(b.images, b.ids, b.targets).loss!); // scalars
        const l = parts.length === 1 ? parts[0] : parts[0].add(parts[1]).mul(0.5);
        l.backward();
        return l.item();
      });
      if (!Number.isFinite(loss))
        throw new LlmfsError(
          `vlm train: the loss became ${loss} at step ${step + 1}; lower the learning rate`,
        );
      if ((o.gradClip ?? 1) > 0) clipGradNorm(params, o.gradClip ?? 1);
      const rate = schedule(step);
      opt.setLr(rate);
      opt.step();
      losses.push(loss);
      model.eval();
      o.onStep?.(step + 1, loss, rate);
      yield;
    }
  } finally {
    opt.dispose();
    arena.dispose();
    model.eval();
  }
  return { losses, seconds: (Date.now() - t0) / 1000, stopped: losses.length < steps };
}
