// `llmfs vision eval --model DIR --split test --count N [--json]`: the accuracy of a ViT classifier
// checkpoint on generated scenes of one split, per head and overall (every head right). The scenes
// are drawn as the model was trained (its image size and objects per scene, from config.json).

import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadClassifier } from '../io/vision-checkpoint.js';
import { SPLIT_SEEDS, type Split } from '../vision/scenes/splits.js';
import { evaluateClassifier } from '../vision/train/evaluate.js';
import { accuracyLine } from './vision-train.js';

const specs = {
  model: { type: 'string', help: 'a checkpoint directory written by `llmfs vision train`' },
  split: { type: 'string', help: 'which scenes', default: 'test', choices: ['test', 'unseen', 'val'] },
  count: { type: 'int', help: 'how many scenes', default: 1000 },
  start: { type: 'int', help: "the first scene's index within the split", default: 0 },
  'batch-size': { type: 'int', help: 'scenes per forward pass', default: 64 },
  json: { type: 'boolean', help: 'print one JSON object instead of text' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const VISION_EVAL_USAGE =
  'llmfs vision eval --model DIR [--split test|unseen|val] [--count N] [--start I] [--json]';

export function runVisionEval(argv: string[]): number {
  const { flags } = parseArgs('vision eval', argv, specs);
  if (flags.help) {
    console.log(helpText(VISION_EVAL_USAGE, 'accuracy of a ViT classifier on generated scenes', specs));
    return 0;
  }
  if (flags.model === undefined || flags.model === '')
    throw new LlmfsError(`vision eval: --model is required (${VISION_EVAL_USAGE})`);
  const count = flags.count as number;
  const start = flags.start as number;
  const batchSize = flags['batch-size'] as number;
  if (count < 1 || batchSize < 1) throw new LlmfsError('vision eval: --count and --batch-size must be >= 1');
  if (start < 0 || start + count > SPLIT_SEEDS)
    throw new LlmfsError(
      `vision eval: scenes ${start}..${start + count - 1} must lie in 0..${SPLIT_SEEDS - 1}`,
    );
  const m = loadClassifier(String(flags.model));
  const split = flags.split as Split;
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
