// `llmfs vision train --task caption|vqa|mixed --kind prefix|cross --out DIR`: trains a small
// vision-language model from scratch on scenes generated in memory (LLaVA-style prefix, Liu et al.
// 2023, or a cross-attention decoder, Vaswani et al. 2017), printing the loss, scoring val scenes
// every --eval-every steps and saving the checkpoint atomically then and at the end. Ctrl-C stops
// after the current step, saves, and exits 130. The steps are the library's trainVlmAsync
// (vision/vlm/train.ts), which gives the event loop a turn between steps so the signal arrives.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { parseArgs, helpText } from './args.js';
import { stopOnSignal } from './align-common.js';
import { LlmfsError } from '../errors.js';
import { DEFAULT_MEAN, DEFAULT_STD } from '../vision/to-tensor.js';
import { sceneOptions } from '../vision/scenes/scene.js';
import { WordTokenizer } from '../vision/text/word-tokenizer.js';
import { createVlm, trainVlmAsync, type VlmTask, type VlmTrainOptions } from '../vision/vlm/index.js';
import { CONFIG_FILE } from '../io/checkpoint-dir.js';
import type { VisionImageSettings } from '../io/vision-checkpoint.js';
import { loadVlm, saveVlmCheckpoint } from '../io/vlm-checkpoint.js';
import { evaluateVlm, vlmScoreLine } from './vision-eval-vlm.js';

/** trainVlm's defaults (vision/vlm/train.ts) and the model's (vision/vlm/config.ts). */
const specs = {
  task: { type: 'string', help: 'what to train', choices: ['caption', 'vqa', 'mixed'] },
  kind: { type: 'string', help: 'the model', default: 'prefix', choices: ['prefix', 'cross'] },
  out: { type: 'string', help: 'the checkpoint directory to write' },
  steps: { type: 'int', help: 'optimizer steps (a fresh batch of scenes each)', default: 2400 },
  'batch-size': { type: 'int', help: 'scenes per step', default: 16 },
  lr: { type: 'number', help: 'peak learning rate (warm-up, then cosine)', default: 3e-3 },
  warmup: { type: 'int', help: 'warm-up steps (default: steps / 10)' },
  'weight-decay': { type: 'number', help: 'AdamW weight decay', default: 0.01 },
  'grad-clip': { type: 'number', help: 'clip the gradient norm to this (0: off)', default: 1 },
  seed: { type: 'int', help: 'seeds the initial weights and the scenes drawn', default: 0 },
  'eval-every': {
    type: 'int',
    help: 'score val scenes (and save) every N steps (0: only at the end)',
    default: 200,
  },
  'eval-count': { type: 'int', help: 'val scenes per evaluation', default: 50 },
  objects: { type: 'string', help: 'objects per scene: N or LO-HI, within 1-9', default: '1-4' },
  'image-size': { type: 'int', help: 'scene side in pixels (a multiple of --patch-size)', default: 48 },
  'patch-size': { type: 'int', help: 'ViT patch side in pixels', default: 16 },
  'd-model': { type: 'int', help: 'ViT width', default: 64 },
  'n-head': { type: 'int', help: 'ViT attention heads', default: 4 },
  'n-layer': { type: 'int', help: 'ViT layers', default: 2 },
  'n-embd': { type: 'int', help: 'decoder width', default: 64 },
  'decoder-heads': { type: 'int', help: 'decoder attention heads', default: 4 },
  'decoder-layers': { type: 'int', help: 'decoder layers', default: 2 },
  'max-text': { type: 'int', help: 'most text tokens (prompt and output)', default: 48 },
  projector: {
    type: 'string',
    help: 'prefix kind: ViT -> decoder map',
    default: 'linear',
    choices: ['linear', 'mlp'],
  },
  init: {
    type: 'string',
    help: 'continue this vision-language checkpoint (its shape and kind; e.g. captions, then --task vqa)',
  },
  'describe-first': {
    type: 'boolean',
    help: 'vqa/mixed: answer after describing the scene (caption, <sep>, answer)',
  },
  force: { type: 'boolean', help: 'replace a checkpoint already in --out' },
  quiet: { type: 'boolean', help: 'no progress lines' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const VLM_TRAIN_USAGE =
  'llmfs vision train --task caption|vqa|mixed [--kind prefix|cross] --out DIR [--steps N] [--seed S] ...';

/** "3" -> [3, 3]; "1-4" -> [1, 4]. */
export function parseObjects(text: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new LlmfsError(`vision train: --objects takes N or LO-HI (e.g. 1-4), got '${text}'`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** Runs fn, naming the command in a library error. */
function prefixed<R>(fn: () => R): R {
  try {
    return fn();
  } catch (e) {
    throw renamed(e);
  }
}

function renamed(e: unknown): unknown {
  return e instanceof LlmfsError ? new LlmfsError(`vision train: ${e.message.replace(/^[\w ]+: /, '')}`) : e;
}

/** The flags that shape a new model: with --init the checkpoint's shape is kept, so they conflict. */
const SHAPE_FLAGS = [
  'kind',
  'image-size',
  'patch-size',
  'd-model',
  'n-head',
  'n-layer',
  'n-embd',
  'decoder-heads',
  'decoder-layers',
  'max-text',
  'projector',
] as const;

export async function runVlmTrain(argv: string[]): Promise<number> {
  const { flags } = parseArgs('vision train', argv, specs);
  if (flags.help) {
    console.log(helpText(VLM_TRAIN_USAGE, 'train a vision-language model on generated scenes', specs));
    return 0;
  }
  if (flags.out === undefined || flags.out === '')
    throw new LlmfsError(`vision train: --out is required (${VLM_TRAIN_USAGE})`);
  const out = String(flags.out);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new LlmfsError(`vision train: --out ${out} is a file`);
    if (readdirSync(out).includes(CONFIG_FILE) && !flags.force)
      throw new LlmfsError(`vision train: ${out} already holds a checkpoint; add --force to replace it`);
  }
  const [minObjects, maxObjects] = parseObjects(String(flags.objects));
  const init = flags.init === undefined || flags.init === '' ? null : String(flags.init);
  const shaping = SHAPE_FLAGS.filter((f) => argv.some((a) => a === `--${f}` || a.startsWith(`--${f}=`)));
  if (init && shaping.length > 0) {
    const drop = shaping.map((f) => `--${f}`).join(', ');
    throw new LlmfsError(`vision train: --init takes the model's shape from ${init}; drop ${drop}`);
  }
  const start = init ? loadVlm(init, 'vision train') : null;
  const size = start ? start.image.size : (flags['image-size'] as number);
  const scenes = prefixed(() => sceneOptions({ size, minObjects, maxObjects }));
  const steps = flags.steps as number;
  const evalEvery = flags['eval-every'] as number;
  const evalCount = flags['eval-count'] as number;
  for (const [k, v] of [
    ['steps', steps],
    ['batch-size', flags['batch-size'] as number],
    ['eval-count', evalCount],
  ] as const)
    if (v < 1) throw new LlmfsError(`vision train: --${k} must be >= 1, got ${v}`);
  if (evalEvery < 0) throw new LlmfsError(`vision train: --eval-every must be >= 0, got ${evalEvery}`);
  const tok = start?.tokenizer ?? new WordTokenizer();
  const task = flags.task as VlmTask;
  if (flags['describe-first'] && task === 'caption')
    throw new LlmfsError(
      'vision train: --describe-first is for questions (--task vqa or mixed), not captions',
    );
  const settings = {
    task,
    steps,
    batchSize: flags['batch-size'] as number,
    lr: flags.lr as number,
    warmupSteps: flags.warmup as number | undefined, // trainVlm's default: a tenth of the steps
    weightDecay: flags['weight-decay'] as number,
    gradClip: flags['grad-clip'] as number,
    seed: flags.seed as number,
    scenes,
    describeFirst: flags['describe-first'] === true,
  } satisfies VlmTrainOptions;
  const model =
    start?.model ??
    prefixed(() =>
      createVlm(
        {
          kind: flags.kind as 'prefix' | 'cross',
          vocabSize: tok.vocabSize,
          maxText: flags['max-text'] as number,
          nEmbd: flags['n-embd'] as number,
          nHead: flags['decoder-heads'] as number,
          nLayer: flags['decoder-layers'] as number,
          projector: flags.projector as 'linear' | 'mlp',
          vit: {
            imageSize: size,
            patchSize: flags['patch-size'] as number,
            dModel: flags['d-model'] as number,
            nHead: flags['n-head'] as number,
            nLayer: flags['n-layer'] as number,
          },
        },
        settings.seed,
      ),
    );
  const image: VisionImageSettings = start?.image ?? {
    size,
    mean: [...DEFAULT_MEAN],
    std: [...DEFAULT_STD],
  };
  const progress = (line: string) => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  const nParams = model.parameters().reduce((s, p) => s + p.size, 0);
  const c = model.config;
  progress(
    `vision train: ${c.kind} VLM for ${task}, ${size}x${size} images, ` +
      `ViT D ${c.vit.dModel} x ${c.vit.nLayer}, ` +
      `decoder C ${c.nEmbd} x ${c.nLayer} (${nParams.toLocaleString('en-US')} parameters)` +
      (init ? `, continuing from ${init}` : ''),
  );
  const evalOptions = { split: 'val' as const, count: evalCount, scenes };
  let val: Record<string, unknown> | null = null;
  const t0 = performance.now();
  const save = (done: number) =>
    saveVlmCheckpoint(out, model, tok, {
      image,
      scenes: { minObjects, maxObjects },
      training: {
        ...settings,
        ...(init ? { init } : {}),
        scenes: undefined,
        stepsDone: done,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        val,
      },
    });
  const every = Math.max(1, Math.floor(steps / 20));
  const stop = stopOnSignal(progress);
  let losses: number[];
  try {
    const result = await trainVlmAsync(model, tok, {
      ...settings,
      signal: stop.signal,
      onStep: (step, loss, lr) => {
        if (step === 1 || step % every === 0 || step === steps)
          progress(
            `step ${step}/${steps}: loss ${loss.toFixed(4)}, lr ${lr.toExponential(2)}, ` +
              `${((performance.now() - t0) / 1000).toFixed(1)}s`,
          );
        if (evalEvery > 0 && step % evalEvery === 0 && step !== steps) {
          const r = evaluateVlm(model, tok, task, evalOptions);
          val = { step, ...r };
          progress(`val at step ${step} (${evalCount} scenes): ${vlmScoreLine(r)}`);
          save(step);
        }
      },
    }).catch((e: unknown) => {
      throw renamed(e);
    });
    losses = result.losses;
  } finally {
    stop.done();
  }
  const stopped = losses.length < steps;
  if (losses.length > 0) {
    const r = evaluateVlm(model, tok, task, evalOptions);
    val = { step: losses.length, ...r };
    progress(`val at step ${losses.length} (${evalCount} scenes): ${vlmScoreLine(r)}`);
    save(losses.length);
  }
  const seconds = (performance.now() - t0) / 1000;
  const how = stopped ? `stopped at step ${losses.length} of ${steps}` : `${losses.length} steps`;
  const last = losses.length > 0 ? `; last loss ${losses[losses.length - 1].toFixed(4)}` : '';
  console.log(
    `${losses.length > 0 ? `saved ${out}` : 'nothing saved'}: ${how} in ${seconds.toFixed(1)}s${last}`,
  );
  return stopped ? 130 : 0;
}
