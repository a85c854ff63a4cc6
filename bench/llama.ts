// The Llama family (chapter 16): tokenizer.json encode throughput in characters/s on the fixture
// tokenizers (Llama 3 style byte-level BPE, SentencePiece-style byte-fallback BPE), ours beside
// @huggingface/tokenizers on the same text in the same run; the load time of a Llama-shaped
// checkpoint written to a temporary directory as F32 and as F16 (widened to f32 on load); and
// decode tokens/s (KV cache, greedy) of a Llama-shaped model (RoPE, RMSNorm, SwiGLU, GQA) beside
// the GPT-2-shaped one of the same width and depth, and a cpu-small training step in both layouts.
// Loads, decodes and steps are timed in alternating rounds, so that load from other processes
// hits the things compared alike.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as Reference } from '@huggingface/tokenizers';
import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { defaultCorpus } from '../src/data/index.js';
import { hfTokenizerFromJson } from '../src/tokenizer/hf-json/index.js';
import { GPT } from '../src/model/gpt.js';
import type { GPTConfigInput } from '../src/model/config.js';
import { generate } from '../src/generate/index.js';
import { manualSeed, Rng } from '../src/tensor/rng.js';
import { randint } from '../src/tensor/creation.js';
import { AdamW } from '../src/train/adamw.js';
import { BufferArena } from '../src/tensor/arena.js';
import { gptPreset } from '../src/model/presets.js';
import { getBackend } from '../src/kernels/backend.js';
import { saveHfLlamaDir } from '../src/io/hf-llama-dir.js';
import { loadHfLlama } from '../src/io/load-pretrained.js';
import { readSafetensorsFile } from '../src/io/safetensors-file.js';
import { f32ToF16Bits } from '../src/io/gguf/ggml-quants.js';

/** Median ms of each fn, timed in alternating rounds so that machine noise hits all of them alike. */
function alternate(fns: (() => void)[], rounds = 5): number[] {
  const times = fns.map(() => [] as number[]);
  fns.forEach((f) => f()); // warm-up
  for (let r = 0; r < rounds; r++)
    fns.forEach((f, i) => times[i]!.push(timeMs(f, { warmup: 0, repeats: 1, minMs: 0 })));
  return times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'tokenizer-json');
const SUITE = 'llama';

/** A safetensors file of F16 values (header JSON padded to 8 bytes, then the data in order). */
function writeF16Safetensors(
  path: string,
  tensors: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>,
): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F16', shape: t.shape, data_offsets: [offset, offset + 2 * t.data.length] };
    offset += 2 * t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors))
    for (let i = 0; i < t.data.length; i++, at += 2) view.setUint16(at, f32ToF16Bits(t.data[i]!), true);
  writeFileSync(path, out);
}

/**
 * Encode throughput on 200,000 characters of the default corpus, as one text and sentence by sentence
 * (a SentencePiece-style tokenizer.json has no pre-tokenizer, so one text is one long piece).
 */
function tokenizerRows(rows: BenchRow[]): void {
  const text = defaultCorpus().slice(0, 200_000);
  const lines = text.split(/(?<=[.!?])\s+/).filter((l) => l.length > 0); // sentences, prompt-sized
  const chars = lines.reduce((n, l) => n + l.length, 0);
  for (const [file, label] of [
    ['llama3', 'Llama 3 style (byte-level BPE)'],
    ['sp-bpe', 'SentencePiece style (byte-fallback BPE)'],
  ] as const) {
    const json = readFileSync(join(FIXTURES, `${file}.json`), 'utf8');
    const ours = hfTokenizerFromJson(json, `${file}.json`);
    const ref = new Reference(JSON.parse(json), { clean_up_tokenization_spaces: false });
    const a = ours.encode(text, { allowedSpecial: 'all' });
    const b = ref.encode(text).ids;
    const same = a.length === b.length && a.every((x, i) => x === b[i]);
    for (const [how, n, oursFn, refFn] of [
      ['one text', text.length, () => ours.encode(text, { allowedSpecial: 'all' }), () => ref.encode(text)],
      [
        `sentence by sentence (${lines.length})`,
        chars,
        () => lines.forEach((l) => ours.encode(l, { allowedSpecial: 'all' })),
        () => lines.forEach((l) => ref.encode(l)),
      ],
    ] as const) {
      const oursMs = timeMs(oursFn, { warmup: 1, repeats: 3 });
      const refMs = timeMs(refFn, { warmup: 1, repeats: 3 });
      rows.push({
        suite: SUITE,
        name: `tokenizer.json encode, ${label}, ${how}: ours`,
        value: (n * 1000) / oursMs,
        unit: 'chars/s',
        note: `${a.length} tokens from ${text.length} chars; ids ${same ? 'equal' : 'DIFFER'}`,
      });
      rows.push({
        suite: SUITE,
        name: `tokenizer.json encode, ${label}, ${how}: @huggingface/tokenizers`,
        value: (n * 1000) / refMs,
        unit: 'chars/s',
        note: `ours is ${(refMs / oursMs).toFixed(2)}x its speed`,
      });
    }
  }
}

const WIDTH = { vocabSize: 8192, blockSize: 512, nLayer: 8, nHead: 8, nEmbd: 512 };
const GPT2_SHAPED: GPTConfigInput = { ...WIDTH };
const LLAMA_SHAPED: GPTConfigInput = {
  ...WIDTH,
  nKvHead: 2,
  mlpHidden: 1376, // ≈ 8/3 · 512, rounded up to a multiple of 32
  positions: 'rope',
  ropeBase: 500000,
  norm: 'rmsnorm',
  mlp: 'swiglu',
  bias: false,
};

function loadRows(rows: BenchRow[]): void {
  const tmp = mkdtempSync(join(tmpdir(), 'llmfs-bench-llama-'));
  try {
    manualSeed(0);
    const model = new GPT(LLAMA_SHAPED);
    const f32 = join(tmp, 'f32');
    const f16 = join(tmp, 'f16');
    saveHfLlamaDir(f32, model);
    writeF16Safetensors(join(tmp, 'model.f16'), readSafetensorsFile(join(f32, 'model.safetensors')).tensors);
    saveHfLlamaDir(f16, model); // the config and its neighbours; the weights are replaced below
    copyFileSync(join(tmp, 'model.f16'), join(f16, 'model.safetensors'));
    model.dispose();
    const params = new GPT(LLAMA_SHAPED).numParameters();
    // Timed alternately; building the model with random weights shows what a load would cost if
    // it initialised the weights it is about to overwrite (GPT's noInit build option skips that).
    const ms = alternate(
      [
        () => loadHfLlama(f32).model.dispose(),
        () => loadHfLlama(f16).model.dispose(),
        () => new GPT(LLAMA_SHAPED).dispose(),
      ],
      3,
    );
    for (const [i, dir, dtype] of [
      [0, f32, 'F32'],
      [1, f16, 'F16'],
    ] as const) {
      const bytes = readFileSync(join(dir, 'model.safetensors')).length;
      rows.push({
        suite: SUITE,
        name: `load a Llama-shaped checkpoint (${(params / 1e6).toFixed(1)}M params), ${dtype} file`,
        value: ms[i]!,
        unit: 'ms',
        note: `${(bytes / 2 ** 20).toFixed(0)} MiB on disk, ${(bytes / 2 ** 20 / (ms[i]! / 1000)).toFixed(0)} MiB/s`,
      });
    }
    rows.push({
      suite: SUITE,
      name: 'build the same model with random weights (no file), for comparison',
      value: ms[2]!,
      unit: 'ms',
      note: 'the random initialisation a loader skips',
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function decodeRows(rows: BenchRow[]): void {
  const N = 64;
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 37) % WIDTH.vocabSize);
  const runs = (
    [
      ['GPT-2-shaped (learned positions, LayerNorm, GELU 4C, 8 kv heads)', GPT2_SHAPED],
      ['Llama-shaped (RoPE, RMSNorm, SwiGLU 2.7C, 2 kv heads)', LLAMA_SHAPED],
    ] as const
  ).map(([label, config]) => {
    manualSeed(0);
    return { label, model: new GPT(config).eval(), cacheFloats: 0 };
  });
  const ms = alternate(
    runs.map((r) => () => (r.cacheFloats = generate(r.model, prompt, { maxNewTokens: N }).cacheFloats)),
  );
  runs.forEach((r, i) => {
    rows.push({
      suite: SUITE,
      name: `decode ${N} tokens (KV cache, greedy), ${r.label}`,
      value: (N * 1000) / ms[i]!,
      unit: 'tokens/s',
      note: `${(r.model.numParameters() / 1e6).toFixed(1)}M params; KV cache ${(r.cacheFloats * 4) / 2 ** 10} KiB at ${16 + N} tokens; ${getBackend().name}`,
    });
    r.model.dispose();
  });
}

/**
 * A cpu-small training step (B = 12, T = 64, forward, backward, AdamW) in both layouts, as
 * chapter 16's experiment trains them; timed alternately so machine noise hits both alike.
 */
function trainStepRows(rows: BenchRow[]): void {
  const B = 12;
  const V = 256;
  const layouts: [string, Partial<GPTConfigInput>][] = [
    ['GPT-2 layout', {}],
    ['Llama layout (RoPE, RMSNorm, SwiGLU 344, no biases)', LLAMA_SMALL],
  ];
  const arena = new BufferArena();
  const runs = layouts.map(([name, extra]) => {
    manualSeed(0);
    const model = new GPT(gptPreset('cpu-small', { vocabSize: V, ...extra }));
    const T = model.config.blockSize;
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const x = randint(0, V, [B, T], { rng: new Rng(1) });
    const y = randint(0, V, [B, T], { rng: new Rng(2) });
    const step = () => {
      opt.zeroGrad();
      arena.run(() => model.forward(x, { targets: y }).loss!.backward());
      opt.step();
    };
    return { name, T, step, times: [] as number[] };
  });
  for (let round = 0; round < 5; round++)
    for (const r of runs) r.times.push(timeMs(r.step, { warmup: round === 0 ? 2 : 0, repeats: 3, minMs: 0 }));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const first = median(runs[0]!.times);
  for (const r of runs) {
    const ms = median(r.times);
    rows.push({
      suite: SUITE,
      name: `cpu-small training step, ${r.name}`,
      value: (B * r.T * 1000) / ms,
      unit: 'tokens/s',
      note: `${ms.toFixed(1)} ms/step, ${(ms / first).toFixed(2)}x the GPT-2 layout's; ${getBackend().name}`,
    });
  }
}

const LLAMA_SMALL: Partial<GPTConfigInput> = {
  positions: 'rope',
  norm: 'rmsnorm',
  mlp: 'swiglu',
  mlpHidden: 344,
  bias: false,
};

export const llamaSuite: Suite = {
  name: SUITE,
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    tokenizerRows(rows);
    loadRows(rows);
    decodeRows(rows);
    trainStepRows(rows);
    return rows;
  },
};
