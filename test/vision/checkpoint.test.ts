// Vision checkpoints: a classifier saved and loaded gives the same config, labels, image settings,
// weights and outputs; a directory is config.json + model.safetensors with nothing left over; and
// every damaged or mismatched file is refused in one line naming it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { ViT } from '../../src/vision/model/index.js';
import { classifierConfig, sceneVocabularies } from '../../src/vision/train/index.js';
import { LlmfsError } from '../../src/errors.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { GPT } from '../../src/model/gpt.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import {
  loadClassifier,
  loadVisionCheckpointDir,
  saveVisionCheckpoint,
  type VisionImageSettings,
} from '../../src/io/vision-checkpoint.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-vision-ckpt-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

const vocab = sceneVocabularies(1, 3);
const shape = { imageSize: 32, patchSize: 16, dModel: 8, nHead: 2, nLayer: 1 };
const image: VisionImageSettings = { size: 32, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };

function saved(name: string, seed = 3): { dir: string; vit: ViT } {
  T.manualSeed(seed);
  const config = classifierConfig(vocab, shape);
  const vit = new ViT(config);
  const dir = join(TMP, name);
  saveVisionCheckpoint(dir, {
    kind: 'classify',
    parts: { vit: { config, module: vit } },
    image,
    labels: vocab,
    scenes: { minObjects: 1, maxObjects: 3 },
    training: { steps: 7 },
  });
  return { dir, vit };
}

test('vision checkpoint: a classifier round-trips (config, labels, image, weights, outputs)', () => {
  const { dir, vit } = saved('round-trip');
  assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors']);
  assert.deepEqual(
    readdirSync(TMP).filter((f) => f.includes('.saving') || f.includes('.previous')),
    [],
  );
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(cfg.model_type, 'llmfs-vit');
  assert.equal(cfg.kind, 'classify');
  assert.deepEqual(Object.keys(cfg.parts), ['vit']);
  const names = Object.keys(readSafetensorsFile(join(dir, 'model.safetensors')).tensors);
  assert.ok(names.length > 0 && names.every((n) => n.startsWith('vit.')), names.join());
  assert.ok(names.includes('vit.heads.count.weight'));

  const m = loadClassifier(dir);
  assert.deepEqual(m.vit.config, vit.config);
  assert.deepEqual(m.labels, vocab);
  assert.deepEqual(m.image, image);
  assert.deepEqual(m.scenes, { minObjects: 1, maxObjects: 3 });
  assert.deepEqual(m.training, { steps: 7 });
  for (const [name, p] of vit.namedParameters()) assert.deepEqual(m.vit.stateDict()[name].data, p.data, name);
  const x = T.randn([2, 3, 32, 32]);
  vit.eval();
  const a = vit.forward(x).logits;
  const b = m.vit.forward(x).logits;
  for (const h of Object.keys(vocab)) assert.deepEqual(b[h].data, a[h].data, h);
});

function oneLine(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LlmfsError, String(e));
    assert.ok(!e.message.includes('\n'), e.message);
    assert.match(e.message, re);
    return true;
  });
}

/** The fields of config.json the tests below edit. */
interface ConfigJson {
  kind: string;
  model_type: string;
  parts: { vit: { nHead: number; dModel: number; heads: Record<string, number> } };
  image: { size: number; std: number[] };
  labels: Record<string, string[]>;
}

/** A saved classifier whose config.json is edited by `edit`. */
function withConfig(name: string, edit: (c: ConfigJson) => void): string {
  const { dir } = saved(name);
  const path = join(dir, 'config.json');
  const c = JSON.parse(readFileSync(path, 'utf8'));
  edit(c);
  writeFileSync(path, JSON.stringify(c));
  return dir;
}

test('vision checkpoint: bad directories and files are refused in one line', () => {
  oneLine(() => loadClassifier(join(TMP, 'nowhere')), /directory not found/);
  const gpt = join(TMP, 'gpt');
  saveModel(gpt, new GPT({ vocabSize: 8, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }));
  oneLine(() => loadClassifier(gpt), /model_type is "llmfs-gpt", expected a vision model \(llmfs-vit, /);
  const bad: [string, (c: ConfigJson) => void, RegExp][] = [
    [
      'kind',
      (c) => (c.kind = 'vlm-prefix'),
      /kind is "vlm-prefix" but model_type llmfs-vit means "classify"/,
    ],
    ['other-kind', (c) => ((c.kind = 'vlm-cross'), (c.model_type = 'llmfs-vlm-cross')), /not a classifier/],
    [
      'parts',
      (c) => ((c as unknown as Record<string, unknown>).parts = { vit: 3 }),
      /"parts" must be an object of part configs/,
    ],
    ['image', (c) => (c.image.std = [1, 0, 1]), /mean and std must be 3 numbers each/],
    ['image-size', (c) => (c.image.size = 48), /takes 32x32 images but "image" says 48/],
    [
      'vit',
      (c) => (c.parts.vit.nHead = 3),
      /config\.json: vit config: dModel 8 must be divisible by nHead 3/,
    ],
    ['labels', (c) => c.labels.shape.pop(), /head 'shape' has 4 classes but "labels" lists 3/],
    ['heads', (c) => delete c.labels.count, /"labels" names heads shape, colour, size but the ViT has/],
    ['width', (c) => (c.parts.vit.dModel = 16), /part 'vit' does not match config\.json: 'patch_embed/],
    [
      'head-size',
      (c) => ((c.parts.vit.heads.count = 4), c.labels.count.push('4')),
      /'heads\.count\.weight' has shape \(3,8\) but the model expects \(4,8\)/,
    ],
  ];
  for (const [name, edit, re] of bad) oneLine(() => loadClassifier(withConfig(name, edit)), re);
  const json = saved('not-json').dir;
  writeFileSync(join(json, 'config.json'), '{"model_type": ');
  oneLine(() => loadClassifier(json), /config\.json: not valid JSON/);
});

test('vision checkpoint: stray, missing and non-finite weights are named', () => {
  const stray = saved('stray').dir;
  const file = join(stray, 'model.safetensors');
  const w = readSafetensorsFile(file).tensors;
  writeSafetensorsFile(file, { ...w, 'decoder.wte.weight': T.zeros([2, 2]) });
  oneLine(
    () => loadVisionCheckpointDir(stray),
    /tensor 'decoder\.wte\.weight' belongs to no part .*\(parts: vit\)/,
  );
  const missing = saved('missing').dir;
  const { ['vit.cls_token']: _gone, ...rest } = readSafetensorsFile(
    join(missing, 'model.safetensors'),
  ).tensors;
  writeSafetensorsFile(join(missing, 'model.safetensors'), rest);
  oneLine(() => loadClassifier(missing), /part 'vit' does not match config\.json: missing 'cls_token'/);
  const nan = saved('nan').dir;
  const t = readSafetensorsFile(join(nan, 'model.safetensors')).tensors;
  t['vit.heads.shape.bias'].data[1] = NaN;
  writeSafetensorsFile(join(nan, 'model.safetensors'), t);
  oneLine(() => loadClassifier(nan), /part 'vit': tensor 'heads\.shape\.bias' holds NaN/);
});
