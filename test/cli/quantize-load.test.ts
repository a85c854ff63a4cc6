// --quantize on the inference commands, run as the CLI on a Qwen2-layout directory with a
// tokenizer.json: `generate --quantize int8 --json` continues the prompt exactly as the float load
// quantized afterwards (quantizeModel) does, and reports resident memory; `model info --quantize
// int8 --json` counts int8 codes (1 byte) and reports the resident and peak memory; `eval` gives
// the quantized model's loss; `chat` runs; misuse gets one line. The child runs the plain kernels (LLMFS_BACKEND=js), as this process does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '../../src/model/gpt.js';
import { saveHfLlamaDir } from '../../src/io/hf-llama-dir.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { quantizeModel } from '../../src/quant/quantize-model.js';
import { generate } from '../../src/generate/generate.js';
import { evaluateText, gptLogits } from '../../src/eval/perplexity.js';

const ROOT = join(import.meta.dirname, '..', '..');
const bin = join(ROOT, 'bin', 'llmfs.mjs');
const llmfs = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LLMFS_BACKEND: 'js' },
  });

/** A random Qwen2-layout model (q/k/v biases, tied) saved with the Qwen2-style tokenizer.json. */
function qwenDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-quantize-load-'));
  const model = new GPT({
    vocabSize: 903, // the fixture tokenizer's ids run to 902
    blockSize: 64,
    nLayer: 2,
    nHead: 4,
    nKvHead: 2,
    nEmbd: 32,
    mlpHidden: 64,
    mlp: 'swiglu',
    norm: 'rmsnorm',
    positions: 'rope',
    bias: false,
    qkvBias: true,
  });
  saveHfLlamaDir(dir, model, { eosTokenId: 900 }); // <|endoftext|>
  copyFileSync(join(ROOT, 'test', 'fixtures', 'tokenizer-json', 'qwen2.json'), join(dir, 'tokenizer.json'));
  return dir;
}

test('generate --quantize int8 --json: the same tokens as load-then-quantize, with rssMB and peakRssMB', () => {
  const dir = qwenDir();
  try {
    const r = llmfs(
      'generate',
      '--model',
      dir,
      '--prompt',
      'Hello world',
      '--max-new-tokens',
      '8',
      '--quantize',
      'int8',
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      promptIds: number[];
      ids: number[];
      rssMB: number;
      peakRssMB: number;
    };
    const { model } = loadPretrained(dir);
    quantizeModel(model, { bits: 8 });
    const want = generate(model, out.promptIds, { maxNewTokens: 8 });
    assert.deepEqual(out.ids, want.ids);
    assert.ok(Number.isInteger(out.rssMB) && out.rssMB > 0, `rssMB ${out.rssMB}`);
    assert.ok(out.peakRssMB >= out.rssMB, `peakRssMB ${out.peakRssMB} >= rssMB ${out.rssMB}`);
    // The float load gives other logits, so (almost surely, with random weights) other log-probs.
    const f = JSON.parse(
      llmfs('generate', '--model', dir, '--prompt', 'Hello world', '--max-new-tokens', '8', '--json').stdout,
    );
    assert.notDeepEqual(
      f.tokens.map((t: { logprob: number }) => t.logprob),
      (out as unknown as typeof f).tokens.map((t: { logprob: number }) => t.logprob),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('model info --quantize int8: int8 weights at 1 byte, resident and peak memory; the text names the formats', () => {
  const dir = qwenDir();
  try {
    const r = llmfs('model', 'info', '--model', dir, '--quantize', 'int8', '--json');
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    const f = loadPretrained(dir).model;
    // Every matrix (the tied table, the block Linears) as int8 codes; norms and biases float32.
    const want = f.namedParameters().reduce((n, [, p]) => n + p.size * (p.ndim === 2 ? 1 : 4), 0);
    assert.equal(info.quantized, 'int8');
    assert.equal(info.weightBytes, want);
    assert.ok((info.rssBytes as number) > 0 && (info.peakRssBytes as number) >= (info.rssBytes as number));
    const text = llmfs('model', 'info', '--model', dir, '--quantize', 'int8');
    assert.match(
      text.stdout,
      /memory: weights .* in memory \(float32 \+ int8\), resident .* after loading \(peak /,
    );
    const float = llmfs('model', 'info', '--model', dir, '--json');
    assert.equal(JSON.parse(float.stdout).quantized, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eval --quantize int8 gives the loss of the quantized model; chat --quantize int8 answers', () => {
  const dir = qwenDir();
  try {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(6);
    writeFileSync(join(dir, 'text.txt'), text);
    const r = llmfs('eval', '--model', dir, '--data', join(dir, 'text.txt'), '--quantize', 'int8', '--json');
    assert.equal(r.status, 0, r.stderr);
    const { model, tokenizer } = loadPretrained(dir);
    quantizeModel(model, { bits: 8 });
    assert.equal(JSON.parse(r.stdout).loss, evaluateText(gptLogits(model), tokenizer!, text).loss);
    const chat = spawnSync(
      process.execPath,
      [bin, 'chat', '--model', dir, '--quantize', 'int8', '--max-new-tokens', '3'],
      {
        encoding: 'utf8',
        input: 'hi\n',
        env: { ...process.env, LLMFS_BACKEND: 'js' },
      },
    );
    assert.equal(chat.status, 0, chat.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--quantize: an unknown kind, or with --adapter, is one error line', () => {
  const dir = qwenDir();
  try {
    const bad = llmfs('generate', '--model', dir, '--prompt', 'hi', '--quantize', 'int3');
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr.trim(), "error: generate: --quantize must be one of int8, int4, got 'int3'");
    const ad = llmfs('eval', '--model', dir, '--adapter', dir, '--quantize', 'int8');
    assert.equal(ad.status, 1);
    assert.match(ad.stderr.trim(), /^error: --quantize int8 cannot take --adapter: merge the adapter first/);
    assert.equal(ad.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
