// Vision-language model checkpoints on disk (Node, issue 20): the two VLM kinds saved and loaded
// through the shared vision checkpoint directory (vision-checkpoint.ts: model.safetensors and
// config.json, written atomically). config.json holds one config per part and the tokenizer:
//   prefix (LLaVA, Liu et al. 2023)  parts vit, projector, decoder (the GPT)
//   cross (Vaswani et al. 2017)      parts vit, decoder (memory_proj, wte, wpe, decoder, lm_head)
//   "tokenizer": {"kind": "word", "words": [...]}  every word in id order, the specials first
// plus the image settings, the scenes trained on and the training settings. A part's weights are
// stored under its name (`vit.patch_embed.proj.weight`, `decoder.wte.weight`, ...).

import { LlmfsError } from '../errors.js';
import { Module } from '../nn/module.js';
import { vitConfig, type ViTConfigInput } from '../vision/model/vit-config.js';
import { SPECIALS, WordTokenizer } from '../vision/text/word-tokenizer.js';
import { createVlm } from '../vision/vlm/create.js';
import { keepingGlobalRng } from '../tensor/rng.js';
import { vlmConfig, type VlmConfig, type VlmKind } from '../vision/vlm/config.js';
import type { VisionLanguageModel } from '../vision/vlm/types.js';
import type { CrossVlm } from '../vision/vlm/cross.js';
import type { PrefixVlm } from '../vision/vlm/prefix.js';
import { CONFIG_FILE } from './checkpoint-dir.js';
import {
  type VisionImageSettings,
  loadPartWeights,
  loadVisionCheckpointDir,
  saveVisionCheckpoint,
} from './vision-checkpoint.js';

/** Several of a model's sub-modules seen as one part (their own names kept). */
class PartView extends Module {
  constructor(children: Record<string, Module>) {
    super();
    Object.assign(this, children);
  }
}

/** The decoder part's config (the text side of either kind). */
interface DecoderPartConfig {
  vocabSize: number;
  maxText: number;
  nEmbd: number;
  nHead: number;
  nLayer: number;
  dropout: number;
}

/** Part name -> its modules, for a model of either kind. */
function modelParts(model: VisionLanguageModel): Record<string, Module> {
  if (model.config.kind === 'prefix') {
    const m = model as PrefixVlm;
    return { vit: m.vit, projector: m.projector, decoder: m.gpt };
  }
  const m = model as CrossVlm;
  const { memory_proj, wte, wpe, decoder, lm_head } = m;
  return { vit: m.vit, decoder: new PartView({ memory_proj, wte, wpe, decoder, lm_head }) };
}

function partConfigs(c: VlmConfig): Record<string, object> {
  const { vocabSize, maxText, nEmbd, nHead, nLayer, dropout } = c;
  const decoder: DecoderPartConfig = { vocabSize, maxText, nEmbd, nHead, nLayer, dropout };
  if (c.kind === 'cross') return { vit: c.vit, decoder };
  const projector = { kind: c.projector, inFeatures: c.vit.dModel, outFeatures: nEmbd };
  return { vit: c.vit, projector, decoder };
}

export interface SaveVlmOptions {
  image: VisionImageSettings;
  scenes: { minObjects: number; maxObjects: number };
  training?: Record<string, unknown>;
}

/** Writes `model` and its tokenizer to `dir` (atomically: the old checkpoint stays until it is done). */
export function saveVlmCheckpoint(
  dir: string,
  model: VisionLanguageModel,
  tok: WordTokenizer,
  o: SaveVlmOptions,
): void {
  const configs = partConfigs(model.config);
  const modules = modelParts(model);
  const parts = Object.fromEntries(
    Object.keys(configs).map((p) => [p, { config: configs[p], module: modules[p] }]),
  );
  saveVisionCheckpoint(dir, {
    kind: model.config.kind === 'prefix' ? 'vlm-prefix' : 'vlm-cross',
    parts,
    image: o.image,
    scenes: o.scenes,
    training: o.training,
    tokenizer: { kind: tok.kind, words: [...tok.words] },
  });
}

export interface SavedVlm {
  model: VisionLanguageModel;
  tokenizer: WordTokenizer;
  image: VisionImageSettings;
  scenes: { minObjects: number; maxObjects: number };
  training: Record<string, unknown>;
  dir: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseTokenizer(v: unknown, vocabSize: number, where: string): WordTokenizer {
  const ok =
    isObject(v) &&
    v.kind === 'word' &&
    Array.isArray(v.words) &&
    v.words.every((w) => typeof w === 'string') &&
    SPECIALS.every((s, i) => (v.words as string[])[i] === s);
  if (!ok)
    throw new LlmfsError(
      `${where}: "tokenizer" must be {"kind": "word", "words": [${SPECIALS.join(', ')}, ...]}`,
    );
  const words = v.words as string[];
  if (words.length !== vocabSize)
    throw new LlmfsError(`${where}: the tokenizer has ${words.length} words but the decoder ${vocabSize}`);
  return new WordTokenizer(words.slice(SPECIALS.length));
}

/**
 * A vision-language checkpoint ("llmfs-vlm-prefix" or "llmfs-vlm-cross"): the model (eval mode),
 * its tokenizer and image settings. `command` names who asked, for the line refusing a classifier.
 */
export function loadVlm(dir: string, command = 'this command'): SavedVlm {
  const ck = loadVisionCheckpointDir(dir);
  const where = `checkpoint ${dir}: ${CONFIG_FILE}`;
  const c = ck.config;
  if (c.kind !== 'vlm-prefix' && c.kind !== 'vlm-cross')
    throw new LlmfsError(
      `${command}: ${dir} holds a ${c.kind} model (${c.model_type}), not a vision-language model ` +
        '(train one with `llmfs vision train --task caption`)',
    );
  const kind: VlmKind = c.kind === 'vlm-prefix' ? 'prefix' : 'cross';
  const want = Object.keys(partConfigs(vlmConfig({ kind, vocabSize: 1 })));
  if (Object.keys(c.parts).join() !== want.join())
    throw new LlmfsError(`${where}: "parts" must be ${want.join(', ')} for the ${kind} kind`);
  const d = c.parts.decoder;
  const num = (k: string): number => {
    if (typeof d[k] !== 'number') throw new LlmfsError(`${where}: "parts.decoder.${k}" must be a number`);
    return d[k] as number;
  };
  let config: VlmConfig;
  try {
    const projector = kind === 'prefix' ? c.parts.projector.kind : undefined;
    if (projector !== undefined && projector !== 'linear' && projector !== 'mlp')
      throw new LlmfsError(`"parts.projector.kind" must be 'linear' or 'mlp'`);
    config = vlmConfig({
      kind,
      vit: vitConfig(c.parts.vit as unknown as ViTConfigInput),
      vocabSize: num('vocabSize'),
      maxText: num('maxText'),
      nEmbd: num('nEmbd'),
      nHead: num('nHead'),
      nLayer: num('nLayer'),
      dropout: num('dropout'),
      ...(projector ? { projector } : {}),
    });
  } catch (err) {
    if (err instanceof LlmfsError && !err.message.startsWith(where))
      throw new LlmfsError(`${where}: ${err.message}`);
    throw err;
  }
  if (config.vit.imageHeight !== c.image.size || config.vit.imageWidth !== c.image.size)
    throw new LlmfsError(
      `${where}: the ViT takes ${config.vit.imageHeight}x${config.vit.imageWidth} images ` +
        `but "image" says ${c.image.size}`,
    );
  const tokenizer = parseTokenizer(c.tokenizer, config.vocabSize, where);
  const model = keepingGlobalRng(() => createVlm(config)); // its drawn weights are replaced below
  const modules = modelParts(model);
  for (const [part, module] of Object.entries(modules)) loadPartWeights(module, ck.weights[part], part, dir);
  model.eval();
  const sc = c.scenes;
  const scenes =
    isObject(sc) && Number.isInteger(sc.minObjects) && Number.isInteger(sc.maxObjects)
      ? { minObjects: sc.minObjects, maxObjects: sc.maxObjects }
      : { minObjects: 1, maxObjects: 4 };
  const training = isObject(c.training) ? c.training : {};
  return { model, tokenizer, image: c.image, scenes, training, dir: ck.dir };
}
