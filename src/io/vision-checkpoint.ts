// Vision checkpoints on disk (Node, issue 20): a directory written atomically like our other
// checkpoints (checkpoint-dir.ts) holding model.safetensors and config.json. config.json says what
// the model is (`model_type` and its `kind`), gives a config object per part ("parts": {"vit":
// {...}}; a vision-language kind adds its projector and decoder), and how images are made into
// tensors. Each part's weights are stored under its name: `vit.patch_embed.proj.weight`.
// The classifier kind ("llmfs-vit") also holds its label vocabularies, one list per head.

import { keepingGlobalRng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { ViT } from '../vision/model/vit.js';
import { type ViTConfig, type ViTConfigInput, vitConfig } from '../vision/model/vit-config.js';
import type { LabelVocabularies } from '../vision/train/labels.js';
import { CONFIG_FILE, WEIGHTS_FILE, loadCheckpointDir, saveCheckpointDir } from './checkpoint-dir.js';
import { checkFiniteWeights } from './weights-check.js';

/** Each kind of vision model and its model_type; a new kind is one more entry here. */
export const VISION_MODEL_TYPES = {
  classify: 'llmfs-vit',
  'vlm-prefix': 'llmfs-vlm-prefix',
  'vlm-cross': 'llmfs-vlm-cross',
} as const;
export type VisionKind = keyof typeof VISION_MODEL_TYPES;

/** How an image becomes the model's input: rendered or resized to size x size, then normalised. */
export interface VisionImageSettings {
  size: number;
  mean: [number, number, number];
  std: [number, number, number];
}

/** config.json of a vision checkpoint. */
export interface VisionConfigFile {
  model_type: string;
  kind: VisionKind;
  /** Part name -> its config (classify: {vit: ViTConfig}). */
  parts: Record<string, Record<string, unknown>>;
  image: VisionImageSettings;
  /** classify: head -> class names in id order. */
  labels?: LabelVocabularies;
  /** The scenes it was trained on (objects per scene), so evaluation draws the same kind. */
  scenes?: { minObjects: number; maxObjects: number };
  /** The training settings and results, for the reader. */
  training?: Record<string, unknown>;
  /** A vision-language kind's text tokenizer (vlm-checkpoint.ts): {"kind": "word", "words": [...]}. */
  tokenizer?: Record<string, unknown>;
}

export interface SaveVisionOptions {
  kind: VisionKind;
  /** Part name -> its config and module. */
  parts: Record<string, { config: object; module: Module }>;
  image: VisionImageSettings;
  labels?: LabelVocabularies;
  scenes?: { minObjects: number; maxObjects: number };
  training?: Record<string, unknown>;
  tokenizer?: Record<string, unknown>;
}

export function saveVisionCheckpoint(dir: string, o: SaveVisionOptions): void {
  const weights: Record<string, Tensor> = {};
  for (const [part, { module }] of Object.entries(o.parts))
    for (const [name, t] of Object.entries(module.stateDict())) weights[`${part}.${name}`] = t;
  const model_type = VISION_MODEL_TYPES[o.kind];
  const config: VisionConfigFile = {
    model_type,
    kind: o.kind,
    parts: Object.fromEntries(Object.entries(o.parts).map(([p, { config }]) => [p, { ...config }])),
    image: o.image,
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.scenes ? { scenes: o.scenes } : {}),
    ...(o.training ? { training: o.training } : {}),
    ...(o.tokenizer ? { tokenizer: o.tokenizer } : {}),
  };
  saveCheckpointDir(dir, { weights, config, metadata: { format: 'pt', model_type } });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseImage(v: unknown, where: string): VisionImageSettings {
  const triple = (x: unknown, positive: boolean): x is [number, number, number] =>
    Array.isArray(x) &&
    x.length === 3 &&
    x.every((n) => typeof n === 'number' && Number.isFinite(n) && (!positive || n > 0));
  if (!isObject(v) || !Number.isInteger(v.size) || (v.size as number) < 1)
    throw new LlmfsError(`${where}: "image" must be {"size": N, "mean": [3 numbers], "std": [3 numbers]}`);
  if (!triple(v.mean, false) || !triple(v.std, true))
    throw new LlmfsError(`${where}: "image" mean and std must be 3 numbers each (std > 0)`);
  return { size: v.size as number, mean: v.mean, std: v.std };
}

export interface LoadedVisionCheckpoint {
  config: VisionConfigFile;
  /** Part name -> its weights, names without the part prefix. */
  weights: Record<string, Record<string, Tensor>>;
  dir: string;
}

/** Reads and checks the parts every vision kind shares; the kind's own loader builds the modules. */
export function loadVisionCheckpointDir(dir: string): LoadedVisionCheckpoint {
  const ckpt = loadCheckpointDir(dir);
  const where = `checkpoint ${dir}: ${CONFIG_FILE}`;
  const raw = ckpt.config;
  const kinds = Object.entries(VISION_MODEL_TYPES);
  const entry = kinds.find(([, t]) => t === raw.model_type);
  if (!entry)
    throw new LlmfsError(
      `${where}: model_type is ${JSON.stringify(raw.model_type)}, expected a vision model ` +
        `(${kinds.map(([, t]) => t).join(', ')})`,
    );
  const kind = entry[0] as VisionKind;
  if (raw.kind !== kind)
    throw new LlmfsError(
      `${where}: kind is ${JSON.stringify(raw.kind)} but model_type ${entry[1]} means "${kind}"`,
    );
  if (!isObject(raw.parts) || !Object.values(raw.parts).every(isObject))
    throw new LlmfsError(`${where}: "parts" must be an object of part configs, e.g. {"vit": {...}}`);
  const parts = raw.parts as Record<string, Record<string, unknown>>;
  const image = parseImage(raw.image, where);
  const weights: Record<string, Record<string, Tensor>> = Object.fromEntries(
    Object.keys(parts).map((p) => [p, {}]),
  );
  const ints = Object.keys(ckpt.ints);
  if (ints.length > 0)
    throw new LlmfsError(`checkpoint ${dir}: ${WEIGHTS_FILE}: integer tensor '${ints[0]}' in a float model`);
  for (const [name, t] of Object.entries(ckpt.weights)) {
    const dot = name.indexOf('.');
    const part = dot > 0 ? name.slice(0, dot) : '';
    if (!(part in parts))
      throw new LlmfsError(
        `checkpoint ${dir}: ${WEIGHTS_FILE}: tensor '${name}' belongs to no part of the model ` +
          `(parts: ${Object.keys(parts).join(', ')})`,
      );
    weights[part][name.slice(dot + 1)] = t;
  }
  const config = { ...(raw as unknown as VisionConfigFile), kind, parts, image };
  return { config, weights, dir: ckpt.dir };
}

/** Copies a part's weights into its module: names and shapes checked, values finite; one line. */
export function loadPartWeights(
  module: Module,
  weights: Record<string, Tensor>,
  part: string,
  dir: string,
): void {
  const where = `checkpoint ${dir}: ${WEIGHTS_FILE}`;
  try {
    module.loadStateDict(weights);
  } catch (err) {
    if (!(err instanceof LlmfsError)) throw err;
    // The first few problems are enough to see a mismatched config (all of them can be hundreds).
    const problems = err.message.replace(/^loadStateDict: /, '').split('; ');
    const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
    throw new LlmfsError(
      `${where}: part '${part}' does not match ${CONFIG_FILE}: ${problems.slice(0, 3).join('; ')}${more}`,
    );
  }
  checkFiniteWeights(module, `${where}: part '${part}'`);
}

export interface SavedClassifier {
  vit: ViT;
  labels: LabelVocabularies;
  image: VisionImageSettings;
  scenes: { minObjects: number; maxObjects: number };
  training: Record<string, unknown>;
  dir: string;
}

function parseLabels(v: unknown, vit: ViTConfig, where: string): LabelVocabularies {
  const ok =
    isObject(v) &&
    Object.values(v).every((l) => Array.isArray(l) && l.length > 0 && l.every((s) => typeof s === 'string'));
  if (!ok) throw new LlmfsError(`${where}: "labels" must map each head to its class names`);
  const labels = v as LabelVocabularies;
  const heads = Object.keys(vit.heads);
  if (Object.keys(labels).join() !== heads.join())
    throw new LlmfsError(
      `${where}: "labels" names heads ${Object.keys(labels).join(', ')} but the ViT has ${heads.join(', ')}`,
    );
  for (const h of heads)
    if (labels[h].length !== vit.heads[h])
      throw new LlmfsError(
        `${where}: head '${h}' has ${vit.heads[h]} classes but "labels" lists ${labels[h].length}`,
      );
  return labels;
}

/** A classifier checkpoint ("llmfs-vit"): the ViT with its heads, labels and image settings. */
export function loadClassifier(dir: string): SavedClassifier {
  const ck = loadVisionCheckpointDir(dir);
  const where = `checkpoint ${dir}: ${CONFIG_FILE}`;
  const c = ck.config;
  if (c.kind !== 'classify')
    throw new LlmfsError(`checkpoint ${dir}: holds a ${c.kind} model (${c.model_type}), not a classifier`);
  if (!c.parts.vit) throw new LlmfsError(`${where}: "parts" has no "vit"`);
  let vc: ViTConfig;
  try {
    vc = vitConfig(c.parts.vit as unknown as ViTConfigInput);
  } catch (err) {
    if (err instanceof LlmfsError) throw new LlmfsError(`${where}: ${err.message}`);
    throw err;
  }
  if (vc.imageHeight !== c.image.size || vc.imageWidth !== c.image.size)
    throw new LlmfsError(
      `${where}: the ViT takes ${vc.imageHeight}x${vc.imageWidth} images but "image" says ${c.image.size}`,
    );
  const labels = parseLabels(c.labels, vc, where);
  const sc = c.scenes;
  const scenes =
    isObject(sc) && Number.isInteger(sc.minObjects) && Number.isInteger(sc.maxObjects)
      ? { minObjects: sc.minObjects, maxObjects: sc.maxObjects }
      : { minObjects: 1, maxObjects: 4 };
  const vit = keepingGlobalRng(() => new ViT(vc)); // its drawn weights are replaced below
  loadPartWeights(vit, ck.weights.vit, 'vit', dir);
  vit.eval();
  const training = isObject(c.training) ? c.training : {};
  return { vit, labels, image: c.image, scenes, training, dir: ck.dir };
}
