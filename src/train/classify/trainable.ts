// What trains when fine-tuning a classifier (rasbt's LLMs-from-scratch ch. 6 and appendix E):
//   all          every parameter of the GPT and the head
//   last-blocks  the last N transformer blocks, the final norm ln_f and the head; the rest frozen
//                (the early layers hold general features that transfer; the late ones specialise)
//   lora         the GPT frozen, low-rank adapters B·A added to its projections (Hu et al., 2021,
//                y = W x + (α/r) B A x), and the head trained in full
// LoRA comes from src/model/lora-apply.ts, loaded at run time through a small adapter, so this
// file builds while that module is still being written.

import type { Module } from '../../nn/module.js';
import type { GPTClassifier } from './head.js';
import { LlmfsError } from '../../errors.js';
import { applyLora, mergeAndUnloadLora } from '../../model/lora-apply.js';

export type TrainMode = 'all' | 'last-blocks' | 'lora';
export const TRAIN_MODES: readonly TrainMode[] = ['all', 'last-blocks', 'lora'];

export interface LoraSettings {
  r: number;
  alpha?: number;
  dropout?: number;
  targets?: readonly string[];
}

/** The two functions of src/model/lora-apply.ts that classification uses. */
export interface LoraApi {
  applyLora(model: Module, o: LoraSettings): string[];
  /** Folds every adapter into its weight and puts the plain Linear back (for saving). */
  mergeAndUnloadLora(model: Module): void;
}

/** src/model/lora-apply.ts's two functions (async, and nullable, for callers written before it landed). */
export async function loadLoraApi(): Promise<LoraApi | null> {
  return { applyLora, mergeAndUnloadLora };
}

export interface TrainableOptions {
  mode: TrainMode;
  /** For last-blocks: how many of the last blocks train (default 1). */
  lastBlocks?: number;
  lora?: LoraSettings;
}

export interface TrainableSummary {
  trainable: number;
  total: number;
  /** The layers LoRA wrapped (lora mode). */
  loraLayers: string[];
  /** Set in lora mode: merges the adapters into the weights before saving. */
  lora: LoraApi | null;
}

/** Freezes and unfreezes `clf`'s parameters for `o.mode`; returns the counts. */
export async function setTrainable(clf: GPTClassifier, o: TrainableOptions): Promise<TrainableSummary> {
  let loraLayers: string[] = [];
  let lora: LoraApi | null = null;
  if (o.mode === 'all') {
    clf.unfreeze();
  } else if (o.mode === 'last-blocks') {
    const n = o.lastBlocks ?? 1;
    const L = clf.gpt.h.length;
    if (!Number.isInteger(n) || n < 0 || n > L)
      throw new LlmfsError(`classify: --last-blocks must be 0..${L} (the model has ${L} blocks), got ${n}`);
    clf.freeze();
    for (let i = L - n; i < L; i++) clf.gpt.h.at(i).unfreeze();
    clf.gpt.ln_f.unfreeze();
    clf.score.unfreeze();
  } else if (o.mode === 'lora') {
    lora = await loadLoraApi();
    if (!lora)
      throw new LlmfsError('classify: --train lora needs src/model/lora-apply.ts, not in this build');
    if (!o.lora) throw new LlmfsError('classify: --train lora needs LoRA settings (r)');
    loraLayers = lora.applyLora(clf.gpt, o.lora); // freezes every other GPT parameter
    clf.score.unfreeze();
  } else {
    throw new LlmfsError(
      `classify: unknown training mode '${String(o.mode)}' (one of: ${TRAIN_MODES.join(', ')})`,
    );
  }
  const total = clf.numParameters();
  const trainable = clf.trainableParameters().reduce((s, [, p]) => s + p.size, 0);
  return { trainable, total, loraLayers, lora };
}
