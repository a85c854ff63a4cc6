// `llmfs vision train --task classify --out DIR`: trains a ViT classifier from scratch on scenes
// generated in memory (heads: the main object's shape, colour and size, and the object count),
// printing progress and val accuracy, and saving the checkpoint atomically at each evaluation and
// at the end. Ctrl-C stops after the current step and saves. See docs/17-seeing.md.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { parseArgs, helpText } from './args.js';
import { stopOnSignal } from './align-common.js';
import { LlmfsError } from '../errors.js';
import { manualSeed } from '../tensor/rng.js';
import { ViT } from '../vision/model/vit.js';
import type { ViTConfig } from '../vision/model/vit-config.js';
import { DEFAULT_MEAN, DEFAULT_STD } from '../vision/to-tensor.js';
import { sceneOptions } from '../vision/scenes/scene.js';
import type { ClassifyAccuracy } from '../vision/train/evaluate.js';
import { sceneVocabularies } from '../vision/train/labels.js';
import { CLASSIFIER_DEFAULTS, classifierConfig } from '../vision/train/model.js';
import { CLASSIFY_TRAIN_DEFAULTS, trainClassifierAsync } from '../vision/train/classify.js';
import { CONFIG_FILE } from '../io/checkpoint-dir.js';
import { type VisionImageSettings, saveVisionCheckpoint } from '../io/vision-checkpoint.js';
import { VLM_TRAIN_USAGE, runVlmTrain } from './vision-train-vlm.js';

const T = CLASSIFY_TRAIN_DEFAULTS;
const M = CLASSIFIER_DEFAULTS;
const specs = {
  task: {
    type: 'string',
    help: 'what to train (caption, vqa, mixed: a vision-language model, see --task caption --help)',
    default: 'classify',
    choices: ['classify', 'caption', 'vqa', 'mixed'],
  },
  out: { type: 'string', help: 'the checkpoint directory to write' },
  steps: { type: 'int', help: 'optimizer steps (a fresh batch of scenes each)', default: T.steps },
  'batch-size': { type: 'int', help: 'scenes per step', default: T.batchSize },
  lr: { type: 'number', help: 'peak learning rate (warm-up, then cosine to lr/10)', default: T.lr },
  warmup: { type: 'int', help: 'warm-up steps', default: T.warmupSteps },
  'weight-decay': { type: 'number', help: 'AdamW weight decay', default: T.weightDecay },
  'grad-clip': { type: 'number', help: 'clip the gradient norm to this (0: off)', default: T.gradClip },
  seed: { type: 'int', help: 'seeds the initial weights and the scenes drawn', default: T.seed },
  'eval-every': { type: 'int', help: 'val accuracy (and a save) every N steps', default: T.evalEvery },
  'eval-count': { type: 'int', help: 'val scenes per evaluation', default: T.evalCount },
  objects: { type: 'string', help: 'objects per scene: N or LO-HI, within 1-9', default: '1-4' },
  'image-size': {
    type: 'int',
    help: 'scene side in pixels (a multiple of --patch-size)',
    default: M.imageSize,
  },
  'patch-size': { type: 'int', help: 'ViT patch side in pixels', default: M.patchSize },
  'd-model': { type: 'int', help: 'ViT width', default: M.dModel },
  'n-head': { type: 'int', help: 'attention heads', default: M.nHead },
  'n-layer': { type: 'int', help: 'encoder layers', default: M.nLayer },
  force: { type: 'boolean', help: 'replace a checkpoint already in --out' },
  quiet: { type: 'boolean', help: 'no progress lines' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const CLASSIFY_USAGE =
  'llmfs vision train --task classify --out DIR [--steps N] [--seed S] [--batch-size B] [--lr LR] ...';
export const VISION_TRAIN_USAGE = `${CLASSIFY_USAGE}\n       ${VLM_TRAIN_USAGE}`;

/** The value of --task in argv (--task X or --task=X), if given. */
function taskOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--task') return argv[i + 1];
    if (argv[i].startsWith('--task=')) return argv[i].slice('--task='.length);
  }
  return undefined;
}

/** "3" -> [3, 3]; "1-4" -> [1, 4]. */
function parseObjects(text: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new LlmfsError(`vision train: --objects takes N or LO-HI (e.g. 1-4), got '${text}'`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** Runs fn, prefixing a library error with the command's name. */
function prefixed<R>(fn: () => R): R {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LlmfsError) throw new LlmfsError(`vision train: ${e.message.replace(/^[\w ]+: /, '')}`);
    throw e;
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** "shape 98.4%, colour 100.0%, ...; exact 97.7%" */
export function accuracyLine(a: ClassifyAccuracy): string {
  const heads = Object.entries(a.heads).map(([h, v]) => `${h} ${pct(v)}`);
  return `${heads.join(', ')}; all heads right ${pct(a.exact)}`;
}

export async function runVisionTrain(argv: string[]): Promise<number> {
  if (['caption', 'vqa', 'mixed'].includes(taskOf(argv) ?? '')) return runVlmTrain(argv);
  const { flags } = parseArgs('vision train', argv, specs);
  if (flags.help) {
    const what = 'train a ViT classifier from scratch on generated scenes (shape, colour, size, count)';
    console.log(helpText(VISION_TRAIN_USAGE, what, specs));
    return 0;
  }
  if (flags.out === undefined || flags.out === '')
    throw new LlmfsError(`vision train: --out is required (${CLASSIFY_USAGE})`);
  const out = String(flags.out);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new LlmfsError(`vision train: --out ${out} is a file`);
    if (readdirSync(out).includes(CONFIG_FILE) && !flags.force)
      throw new LlmfsError(`vision train: ${out} already holds a checkpoint; add --force to replace it`);
  }
  const [minObjects, maxObjects] = parseObjects(String(flags.objects));
  const size = flags['image-size'] as number;
  const scenes = prefixed(() => sceneOptions({ size, minObjects, maxObjects }));
  const vocab = sceneVocabularies(minObjects, maxObjects);
  const config: ViTConfig = prefixed(() =>
    classifierConfig(vocab, {
      imageSize: size,
      patchSize: flags['patch-size'] as number,
      dModel: flags['d-model'] as number,
      nHead: flags['n-head'] as number,
      nLayer: flags['n-layer'] as number,
    }),
  );
  const settings = {
    steps: flags.steps as number,
    batchSize: flags['batch-size'] as number,
    lr: flags.lr as number,
    warmupSteps: flags.warmup as number,
    weightDecay: flags['weight-decay'] as number,
    gradClip: flags['grad-clip'] as number,
    seed: flags.seed as number,
    evalEvery: flags['eval-every'] as number,
    evalCount: flags['eval-count'] as number,
  };
  const image: VisionImageSettings = { size, mean: [...DEFAULT_MEAN], std: [...DEFAULT_STD] };
  const progress = (line: string) => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  manualSeed(settings.seed);
  const vit = new ViT(config);
  const nParams = vit.parameters().reduce((s, p) => s + p.size, 0);
  progress(
    `vision train: ViT ${size}x${size}, patches ${config.patchSize}, D ${config.dModel}, ` +
      `${config.nLayer} layers (${nParams.toLocaleString('en-US')} parameters); heads ` +
      `${Object.keys(vocab).join(', ')}; ${minObjects}-${maxObjects} objects per scene`,
  );
  const save = (steps: number, val: ClassifyAccuracy | null, seconds: number) =>
    saveVisionCheckpoint(out, {
      kind: 'classify',
      parts: { vit: { config, module: vit } },
      image,
      labels: vocab,
      scenes: { minObjects, maxObjects },
      training: { ...settings, stepsDone: steps, seconds: Math.round(seconds * 10) / 10, val },
    });
  const every = Math.max(1, Math.floor(settings.steps / 20));
  const t0 = performance.now();
  const stop = stopOnSignal(progress);
  let r;
  try {
    r = await trainClassifierAsync(
      vit,
      vocab,
      { scenes, norm: image },
      settings,
      {
        onStep(i) {
          if (i.step !== 1 && i.step % every !== 0 && i.step !== i.steps) return;
          progress(
            `step ${i.step}/${i.steps}: loss ${i.loss.toFixed(4)}, batch accuracy ${pct(i.accuracy)}, ` +
              `lr ${i.lr.toExponential(2)}, ${i.seconds.toFixed(1)}s`,
          );
        },
        onEval(step, a) {
          progress(`val at step ${step} (${a.count} scenes): ${accuracyLine(a)}`);
          save(step, a, (performance.now() - t0) / 1000);
        },
      },
      stop.signal,
    );
  } catch (e) {
    if (e instanceof LlmfsError) throw new LlmfsError(`vision train: ${e.message.replace(/^[\w ]+: /, '')}`);
    throw e;
  } finally {
    stop.done();
  }
  if (r.steps > 0) save(r.steps, r.val, r.seconds);
  const how = r.stopped ? `stopped at step ${r.steps} of ${settings.steps}` : `${r.steps} steps`;
  const val = r.val ? `; val: ${accuracyLine(r.val)}` : '';
  console.log(`${r.steps > 0 ? `saved ${out}` : 'nothing saved'}: ${how} in ${r.seconds.toFixed(1)}s${val}`);
  return r.stopped ? 130 : 0;
}
