// `llmfs vision eval --model DIR --split test --count N [--json]`: the accuracy of a ViT classifier
// checkpoint on generated scenes of one split, per head and overall (every head right). The scenes
// are drawn as the model was trained (its image size and objects per scene, from config.json).
// `llmfs vision eval --model DIR --image FILE [--json]` classifies one picture instead: each head's
// predicted label and its probability (softmax of the head's logits). The file goes through the
// same door every image command uses (readModelImage: PNG/PPM, RGB, resized or refused, normalised).

import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadClassifier } from '../io/vision-checkpoint.js';
import { SPLIT_SEEDS, type Split } from '../vision/scenes/splits.js';
import { argmaxRow, evaluateClassifier } from '../vision/train/evaluate.js';
import { accuracyLine } from './vision-train.js';
import { readModelImage } from '../io/image-files.js';
import { resizeNote } from '../vision/input.js';
import type { ViT } from '../vision/model/vit.js';
import type { LabelVocabularies } from '../vision/train/labels.js';
import { noGrad } from '../tensor/autograd.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from '../io/checkpoint-dir.js';
import { runVlmEval } from './vision-eval-vlm.js';

/** Whether config.json in dir names a vision-language kind (a damaged or missing one: no). */
function isVlmCheckpoint(dir: string): boolean {
  try {
    const c = JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8')) as { kind?: unknown };
    return c.kind === 'vlm-prefix' || c.kind === 'vlm-cross';
  } catch {
    return false; // the classifier's loader names the fault
  }
}

const specs = {
  model: { type: 'string', help: 'a checkpoint directory written by `llmfs vision train`' },
  split: { type: 'string', help: 'which scenes', default: 'test', choices: ['test', 'unseen', 'val'] },
  count: { type: 'int', help: 'how many scenes', default: 1000 },
  start: { type: 'int', help: "the first scene's index within the split", default: 0 },
  'batch-size': { type: 'int', help: 'scenes per forward pass', default: 64 },
  image: { type: 'string', help: 'classify this PNG/PPM file instead (--split/--count unused)' },
  'on-size-mismatch': {
    type: 'string',
    help: "an --image of another size: 'resize' (bilinear, with a note) or 'error'",
    default: 'resize',
    choices: ['resize', 'error'],
  },
  beams: { type: 'int', help: 'vision-language model: beam width (1: greedy)', default: 1 },
  task: {
    type: 'string',
    help: 'vision-language model: score captions, vqa or both (mixed); default: what it was trained on',
    choices: ['caption', 'vqa', 'mixed'],
  },
  json: { type: 'boolean', help: 'print one JSON object instead of text' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const VISION_EVAL_USAGE =
  'llmfs vision eval --model DIR [--split test|unseen|val] [--count N] [--start I] [--json]\n' +
  '       llmfs vision eval --model DIR --image FILE [--on-size-mismatch resize|error] [--json]';

export function runVisionEval(argv: string[]): number {
  const { flags } = parseArgs('vision eval', argv, specs);
  if (flags.help) {
    console.log(
      helpText(
        VISION_EVAL_USAGE,
        'accuracy of a ViT classifier or a vision-language model on generated scenes',
        specs,
      ),
    );
    return 0;
  }
  if (flags.model === undefined || flags.model === '')
    throw new LlmfsError('vision eval: --model is required (see `llmfs vision eval --help`)');
  if (flags.image !== undefined) return classifyImageFile(flags);
  const count = flags.count as number;
  const start = flags.start as number;
  const batchSize = flags['batch-size'] as number;
  if (count < 1 || batchSize < 1) throw new LlmfsError('vision eval: --count and --batch-size must be >= 1');
  if (start < 0 || start + count > SPLIT_SEEDS)
    throw new LlmfsError(
      `vision eval: scenes ${start}..${start + count - 1} must lie in 0..${SPLIT_SEEDS - 1}`,
    );
  const split = flags.split as Split;
  if (isVlmCheckpoint(String(flags.model)))
    return runVlmEval({
      model: String(flags.model),
      split,
      start,
      count,
      beams: flags.beams as number,
      ...(flags.task !== undefined ? { task: String(flags.task) } : {}),
      json: flags.json === true,
    });
  const m = loadClassifier(String(flags.model));
  const t0 = performance.now();
  const a = evaluateClassifier(m.vit, m.labels, {
    split,
    start,
    count,
    batchSize,
    scenes: { size: m.image.size, ...m.scenes },
    norm: m.image,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (flags.json) {
    const { split: _s, ...rest } = a;
    console.log(JSON.stringify({ model: m.dir, split, start, ...rest, seconds }));
    return 0;
  }
  console.log(
    `${m.dir} on ${count} ${split} scenes (${start}..${start + count - 1}), ${seconds.toFixed(1)}s:`,
  );
  const pct = (x: number): string => `${(100 * x).toFixed(1).padStart(5)}%`;
  for (const [h, v] of Object.entries(a.heads))
    console.log(`  ${h.padEnd(8)} ${pct(v)}  (chance ${pct(1 / m.labels[h].length).trim()})`);
  console.log(`  ${'all'.padEnd(8)} ${pct(a.exact)}  (every head right)`);
  return 0;
}

/** One head's answer for an image: the top class, its probability, and every class's. */
export interface HeadPrediction {
  label: string;
  probability: number;
  probabilities: Record<string, number>;
}

/** Softmax (in float64) of each head's logits for a (1, 3, S, S) input, the top class first. */
export function predictHeads(
  vit: ViT,
  labels: LabelVocabularies,
  x: Parameters<ViT['forward']>[0],
): Record<string, HeadPrediction> {
  const { logits } = noGrad(() => vit.forward(x));
  const out: Record<string, HeadPrediction> = {};
  for (const [h, classes] of Object.entries(labels)) {
    const l = logits[h].data; // (1, K)
    const max = Math.max(...Array.from(l));
    const e = Array.from(l, (v) => Math.exp(v - max));
    const z = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / z);
    const best = argmaxRow(p, 0, p.length);
    out[h] = {
      label: classes[best],
      probability: p[best],
      probabilities: Object.fromEntries(classes.map((c, k) => [c, p[k]])),
    };
  }
  return out;
}

function classifyImageFile(flags: Record<string, unknown>): number {
  const path = String(flags.image);
  if (path === '') throw new LlmfsError('vision eval: --image needs a file name');
  const dir = String(flags.model);
  if (isVlmCheckpoint(dir))
    throw new LlmfsError(
      `vision eval: ${dir} holds a vision-language model, which describes images rather than ` +
        `classifying them: use \`llmfs caption --model ${dir} ${path}\` or ` +
        `\`llmfs ask --model ${dir} ${path} "QUESTION"\``,
    );
  const m = loadClassifier(dir);
  let resized: { from: [number, number]; to: [number, number] } | null = null;
  const x = readModelImage(path, m.image, {
    onMismatch: flags['on-size-mismatch'] as 'resize' | 'error',
    onResize: (from, to) => {
      resized = { from, to };
      process.stderr.write(`${resizeNote(path, from, to)}\n`);
    },
  });
  const heads = predictHeads(m.vit, m.labels, x);
  if (flags.json) {
    console.log(JSON.stringify({ model: m.dir, image: path, resized, heads }));
    return 0;
  }
  console.log(`${m.dir} on ${path}:`);
  const width = Math.max(...Object.values(heads).map((p) => p.label.length));
  for (const [h, p] of Object.entries(heads))
    console.log(
      `  ${h.padEnd(8)} ${p.label.padEnd(width)}  ${(100 * p.probability).toFixed(1).padStart(5)}%`,
    );
  return 0;
}
