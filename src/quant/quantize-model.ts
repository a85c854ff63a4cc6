// Quantizing a whole model in place: every Linear becomes a QuantizedLinear, and every embedding
// table (the token table `wte`, which also serves a tied output head, and learned positions `wpe`)
// a QuantizedEmbedding, each holding int8 or int4 codes (int8.ts, int4.ts). Norms and biases stay
// float: they are small, and a norm's gain multiplies every activation. Returns what it quantized
// and the bytes the weights took before (float32) and after (codes plus scales).

import { Module } from '../nn/module.js';
import { ModuleList } from '../nn/containers.js';
import { Embedding, Linear } from '../nn/layers.js';
import { LlmfsError } from '../errors.js';
import { QuantizedLinear, type QuantizeOptions } from './quantized-linear.js';
import { QuantizedEmbedding } from './quantized-embedding.js';

export interface QuantizeReport {
  /** Dotted names of the modules now quantized. */
  layers: string[];
  bytesBefore: number;
  bytesAfter: number;
}

export interface QuantizeModelOptions extends QuantizeOptions {
  /** Also quantize the embedding tables (default true). */
  embedding?: boolean;
}

/** A quantized layer of either kind. */
export type QuantizedModule = QuantizedLinear | QuantizedEmbedding;

/** The sub-module at a dotted path ('h.0.attn.c_attn'), or null. */
export function getModule(root: Module, path: string): Module | null {
  let m: Module = root;
  for (const key of path.split('.')) {
    const child = (m as unknown as Record<string, unknown>)[key];
    if (!(child instanceof Module) || key.startsWith('_')) return null;
    m = child;
  }
  return m;
}

/** Puts `replacement` at a dotted path (the parent must exist). */
export function setModule(root: Module, path: string, replacement: Module): void {
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? root : getModule(root, path.slice(0, dot));
  const key = path.slice(dot + 1);
  if (parent === null || !((parent as unknown as Record<string, unknown>)[key] instanceof Module))
    throw new LlmfsError(`quantize: the model has no module '${path}'`);
  (parent as unknown as Record<string, Module>)[key] = replacement;
  // A ModuleList also keeps its items in an array that forward iterates.
  if (parent instanceof ModuleList)
    (parent as unknown as { _items: Module[] })._items[Number(key)] = replacement;
}

/** Every quantized module below `root`, with its dotted name. */
export function quantizedModules(root: Module): [string, QuantizedModule][] {
  const out: [string, QuantizedModule][] = [];
  const walk = (m: Module, prefix: string): void => {
    for (const [key, child] of m.namedChildren()) {
      if (child instanceof QuantizedLinear || child instanceof QuantizedEmbedding)
        out.push([prefix + key, child]);
      else walk(child, `${prefix}${key}.`);
    }
  };
  walk(root, '');
  return out;
}

/**
 * Replaces each Linear (and each embedding table) below `model` by its quantized form. The float
 * layers it replaces are disposed: tensors sharing their storage must not be used afterwards.
 */
export function quantizeModel(model: Module, o: QuantizeModelOptions): QuantizeReport {
  if (quantizedModules(model).length > 0)
    throw new LlmfsError('quantize: the model is already quantized (quantize the float model instead)');
  const report: QuantizeReport = { layers: [], bytesBefore: 0, bytesAfter: 0 };
  const walk = (m: Module, prefix: string): void => {
    for (const [key, child] of m.namedChildren()) {
      const name = prefix + key;
      let q: QuantizedModule | null = null;
      if (child instanceof Linear) q = QuantizedLinear.fromLinear(child, o);
      else if (child instanceof Embedding && (o.embedding ?? true))
        q = QuantizedEmbedding.fromEmbedding(child, o);
      if (q === null) {
        walk(child, `${name}.`);
        continue;
      }
      setModule(model, name, q);
      report.layers.push(name);
      report.bytesBefore += (child as Linear | Embedding).weight.size * 4;
      report.bytesAfter += q.weightBytes();
      child.dispose(); // the float weight's storage (wasm memory on the fast backend) is free again
    }
  };
  walk(model, '');
  if (report.layers.length === 0) throw new LlmfsError('quantize: the model has no Linear layer to quantize');
  return report;
}

/** Quantizes the Linear layers only (the embedding tables stay float). */
export function quantizeLinears(model: Module, o: QuantizeOptions): QuantizeReport {
  return quantizeModel(model, { ...o, embedding: false });
}
