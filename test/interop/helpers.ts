// Shared by the interop tests: the PyTorch-made tiny GPT-2 fixture, its golden values, and
// temporary copies of it with edited config.json or tensors.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import type { Tensor } from '../../src/tensor/tensor.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURE = join(ROOT, 'test', 'fixtures', 'hf-gpt2');
export const TINY = join(FIXTURE, 'tiny');
export const UNTIED = join(FIXTURE, 'untied');
export const EVAL_TEXT = join(FIXTURE, 'eval.txt');

export interface EvalGolden {
  stride: number;
  tokens: number;
  predicted: number;
  bytes: number;
  totalNats: number;
  loss: number;
  perplexity: number;
  bitsPerByte: number;
}
export interface Golden {
  text: string;
  ids: number[];
  tiny: { logits: number[]; loss: number };
  untied: { logits: number[]; loss: number };
  greedy: { prompt: string; promptIds: number[]; ids: number[] };
  eval: { ids: number[]; windows: EvalGolden; stride: EvalGolden };
}

export const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as Golden;

export function tempDir(tag = 'interop'): string {
  return mkdtempSync(join(tmpdir(), `llmfs-${tag}-`));
}

/** A copy of fixture dir `from`, with config.json fields and tensors edited. */
export function variant(
  from: string,
  edit: {
    config?: (c: Record<string, unknown>) => void;
    tensors?: (t: Record<string, Tensor>) => Record<string, Tensor> | void;
  },
): string {
  const dir = tempDir();
  cpSync(from, dir, { recursive: true });
  if (edit.config) {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    edit.config(c);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  }
  if (edit.tensors) {
    const t = readSafetensorsFile(join(dir, 'model.safetensors')).tensors;
    writeSafetensorsFile(join(dir, 'model.safetensors'), edit.tensors(t) ?? t);
  }
  return dir;
}

/** Largest absolute and relative differences. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    abs = Math.max(abs, d);
    rel = Math.max(rel, d / Math.max(Math.abs(b[i]), 1e-3));
  }
  return { abs, rel };
}
