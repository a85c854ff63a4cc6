// Property test: mutated Llama-family config.json objects (Qwen3's, with QK-norm, and the sharded
// Llama's, with rope scaling) and mutated model.safetensors.index.json files go to the loaders.
// Each must load or throw LlmfsError: never another exception, a hang, or a huge allocation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { gptFromHfLlama, type LlamaTensorSource } from '../../src/io/hf-llama.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { parseJson } from '../../src/tokenizer/json-parse.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { editJson, editText, prng } from './mutate.js';
import { ROOT, tempDir } from './helpers.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'hf-llama');

function sourceOf(dir: string, files: string[]): { source: LlamaTensorSource; config: string } {
  const tensors: Record<string, Tensor> = Object.assign(
    {},
    ...files.map((f) => readSafetensorsFile(join(dir, f)).tensors),
  );
  const source: LlamaTensorSource = {
    tensors: Object.entries(tensors).map(([name, t]) => ({ name, shape: t.shape, dtype: 'F32', file: 'w' })),
    read: (n) => tensors[n],
  };
  return { source, config: readFileSync(join(dir, 'config.json'), 'utf8') };
}

const models = [
  sourceOf(join(FIXTURE, 'qwen3'), ['model.safetensors']),
  sourceOf(join(FIXTURE, 'llama'), ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']),
];

/** Runs f; anything but success or an LlmfsError fails the test, naming the seed. */
function expectCleanOutcome(f: () => unknown, what: string): 'ok' | 'error' {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof LlmfsError) return 'error';
    assert.fail(`${what}: ${err instanceof Error ? err.stack : String(err)}`);
  }
}

test('llama fuzz: 1,500 mutated config.json objects load or fail with LlmfsError', () => {
  const counts = { ok: 0, error: 0 };
  for (let seed = 0; seed < 1500; seed++) {
    const r = prng(seed);
    const { source, config } = models[seed % 2];
    let text = config;
    for (let n = 1 + r.int(3); n > 0; n--) text = r.next() < 0.8 ? editJson(text, r) : editText(text, r);
    counts[
      expectCleanOutcome(() => gptFromHfLlama(parseJson(text, 'config.json'), source), `seed ${seed}`)
    ]++;
  }
  assert.ok(counts.ok > 0 && counts.error > 0, JSON.stringify(counts));
});

test('llama fuzz: 60 mutated model.safetensors.index.json files load or fail with LlmfsError', () => {
  const dir = tempDir('llama-fuzz');
  cpSync(join(FIXTURE, 'llama'), dir, { recursive: true });
  const indexPath = join(dir, 'model.safetensors.index.json');
  const index = readFileSync(indexPath, 'utf8');
  const counts = { ok: 0, error: 0 };
  for (let seed = 0; seed < 60; seed++) {
    const r = prng(1000 + seed);
    let text = index;
    for (let n = 1 + r.int(2); n > 0; n--) text = r.next() < 0.8 ? editJson(text, r) : editText(text, r);
    writeFileSync(indexPath, text);
    counts[expectCleanOutcome(() => loadPretrained(dir), `index seed ${seed}`)]++;
  }
  assert.ok(counts.error > 0, JSON.stringify(counts));
});
