// `llmfs vision data --out DIR --count N --seed S`: writes N generated scenes of one split as
// PNG files and a data.jsonl (one line per image: file, caption, questions and answers, labels,
// objects), each file atomically. The scenes are src/vision/scenes/; see docs/17-seeing.md.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { atomicWriteFile, makeDirs } from '../io/atomic-write.js';
import { writeImageFile } from '../io/image-files.js';
import { sceneExample, sceneFileName, sceneJsonLine } from '../vision/scenes/dataset.js';
import { SPLITS, SPLIT_SEEDS, type Split } from '../vision/scenes/splits.js';
import { DEFAULT_SCENE_SIZE, sceneOptions } from '../vision/scenes/scene.js';

const specs = {
  out: { type: 'string', help: 'the directory to write (created if missing)' },
  count: { type: 'int', help: 'how many scenes', default: 100 },
  seed: {
    type: 'int',
    help: "the first scene's index within the split (scenes seed..seed+count-1)",
    default: 0,
  },
  split: { type: 'string', help: 'which split to draw from', default: 'train', choices: SPLITS },
  size: {
    type: 'int',
    help: 'canvas side in pixels (>= 24; below 48 small shapes blur)',
    default: DEFAULT_SCENE_SIZE,
  },
  objects: { type: 'string', help: 'objects per scene: N or LO-HI, within 1-9', default: '1-4' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const VISION_DATA_USAGE =
  'llmfs vision data --out DIR [--count N] [--seed S] [--split train|val|test|unseen] [--size 48] ' +
  '[--objects 1-4]';

/** "3" -> [3, 3]; "1-4" -> [1, 4]; anything else is one line. */
function parseObjects(text: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new LlmfsError(`vision data: --objects takes N or LO-HI (e.g. 1-4), got '${text}'`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

export function runVisionData(argv: string[]): number {
  const { flags } = parseArgs('vision data', argv, specs);
  if (flags.help) {
    const what = 'generate scenes (PNG files) with captions, questions and labels (data.jsonl)';
    console.log(helpText(VISION_DATA_USAGE, what, specs));
    return 0;
  }
  if (flags.out === undefined || flags.out === '')
    throw new LlmfsError(`vision data: --out is required (${VISION_DATA_USAGE})`);
  const out = String(flags.out);
  const count = flags.count as number;
  const seed = flags.seed as number;
  const split = flags.split as Split;
  if (count < 1) throw new LlmfsError(`vision data: --count must be >= 1, got ${count}`);
  if (seed < 0 || seed + count > SPLIT_SEEDS)
    throw new LlmfsError(
      `vision data: scenes ${seed}..${seed + count - 1} must lie in 0..${SPLIT_SEEDS - 1}`,
    );
  const [minObjects, maxObjects] = parseObjects(String(flags.objects));
  const options = (() => {
    try {
      return sceneOptions({ size: flags.size as number, minObjects, maxObjects });
    } catch (e) {
      if (e instanceof LlmfsError) throw new LlmfsError(`vision data: ${e.message.replace(/^scenes: /, '')}`);
      throw e;
    }
  })();
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new LlmfsError(`vision data: --out ${out} is a file, not a directory`);
  makeDirs(out, 'vision data: --out');
  const lines: string[] = [];
  for (let i = seed; i < seed + count; i++) {
    const { image, record } = sceneExample(split, i, options);
    const file = sceneFileName(split, i);
    writeImageFile(join(out, file), image);
    lines.push(sceneJsonLine(record, file));
  }
  atomicWriteFile(join(out, 'data.jsonl'), `${lines.join('\n')}\n`);
  const s = count === 1 ? '' : 's';
  const { size } = options;
  console.log(
    `wrote ${count} ${split} scene${s} (${seed}..${seed + count - 1}, ${size}x${size}, ` +
      `${minObjects}-${maxObjects} objects) to ${out}: ${count} PNG file${s} and data.jsonl`,
  );
  return 0;
}
