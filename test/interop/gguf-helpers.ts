// Shared by the GGUF tests and bench/gguf.ts: a small model trained in seconds (so its greedy
// choices have real margins), our plain greedy decoder, a GPT rebuilt from a GGUF file's decoded
// tensors (what llama.cpp computes with), and llama.cpp's greedy decoder through node-llama-cpp.

import { readFileSync } from 'node:fs';
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type Token } from 'node-llama-cpp';
import * as T from '../../src/tensor/index.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { GPT } from '../../src/model/gpt.js';
import { AdamW } from '../../src/train/adamw.js';
import { trainBpe } from '../../src/tokenizer/train.js';
import type { BpeTokenizer } from '../../src/tokenizer/bpe.js';
import { parseGguf, metaValue } from '../../src/io/gguf/gguf-reader.js';

export const CORPUS = [
  'The little robot walked to the river and looked at the water. ',
  'The water was cold and the robot was happy. ',
  'Every morning the robot counted the fish: one, two, three, four, five. ',
  'Then it walked home again, slowly, and told the cat about the fish. ',
  'The cat did not care about the fish, but it liked the robot. ',
].join('');

export interface Trained {
  model: GPT;
  tokenizer: BpeTokenizer;
  eos: number;
}

/** A 2-layer GPT (C = 32: rows are whole 32-value blocks) trained for a few seconds on CORPUS. */
export function trainSmall(steps = 200, seed = 7): Trained {
  T.manualSeed(seed);
  const tokenizer = trainBpe(CORPUS.repeat(4), { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
  const ids = tokenizer.encode(CORPUS.repeat(8));
  const model = new GPT({ vocabSize: 300, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 32 });
  const opt = new AdamW(model.parameters(), { lr: 5e-3, weightDecay: 0 });
  const B = 4;
  const Tn = 32;
  for (let s = 0; s < steps; s++) {
    const x: number[] = [];
    const y: number[] = [];
    for (let b = 0; b < B; b++) {
      const at = (s * 37 + b * 101) % (ids.length - Tn - 1);
      x.push(...ids.slice(at, at + Tn));
      y.push(...ids.slice(at + 1, at + Tn + 1));
    }
    const { loss } = model.forward(T.fromArray(x, [B, Tn]), { targets: y });
    opt.zeroGrad();
    loss!.backward();
    opt.step();
  }
  model.eval();
  return { model, tokenizer, eos: tokenizer.specialTokens['<|endoftext|>'] };
}

/** Our greedy continuation: the argmax of the last position's logits, n times (no cache). */
export function ourGreedy(
  model: GPT,
  prompt: readonly number[],
  n: number,
): { ids: number[]; probs: number[][] } {
  const ids = [...prompt];
  const probs: number[][] = [];
  noGrad(() => {
    for (let i = 0; i < n; i++) {
      const { logits } = model.forward(T.fromArray(ids, [1, ids.length]), { lastOnly: true });
      const row = Array.from(logits.data.subarray(logits.data.length - model.config.vocabSize));
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const z = e.reduce((a, b) => a + b, 0);
      probs.push(e.map((v) => v / z));
      ids.push(row.indexOf(max));
    }
  });
  return { ids: ids.slice(prompt.length), probs };
}

/** Our GPT with the weights a GGUF file (gpt2 layout) holds, decoded to float: what llama.cpp runs. */
export function gptFromGgufFile(path: string): GPT {
  const f = parseGguf(new Uint8Array(readFileSync(path)), path);
  const u = (k: string): number => Number(metaValue(f.metadata, k));
  const names = new Set(f.tensors.map((t) => t.name));
  const model = new GPT({
    vocabSize: u('gpt2.vocab_size'),
    blockSize: u('gpt2.context_length'),
    nLayer: u('gpt2.block_count'),
    nHead: u('gpt2.attention.head_count'),
    nEmbd: u('gpt2.embedding_length'),
    mlpHidden: u('gpt2.feed_forward_length'),
    normEps: u('gpt2.attention.layer_norm_epsilon'),
    tieWeights: !names.has('output.weight'),
  });
  const ours: Record<string, string> = {
    'token_embd.weight': 'wte.weight',
    'position_embd.weight': 'wpe.weight',
    'output_norm.weight': 'ln_f.weight',
    'output_norm.bias': 'ln_f.bias',
    'output.weight': 'lm_head.weight',
  };
  const layer: Record<string, string> = {
    attn_norm: 'ln_1',
    attn_qkv: 'attn.c_attn',
    attn_output: 'attn.c_proj',
    ffn_norm: 'ln_2',
    ffn_up: 'mlp.c_fc',
    ffn_down: 'mlp.c_proj',
  };
  const params = new Map(model.namedParameters());
  for (const t of f.tensors) {
    const m = /^blk\.(\d+)\.(\w+)\.(weight|bias)$/.exec(t.name);
    const name = m ? `h.${m[1]}.${layer[m[2]]}.${m[3]}` : ours[t.name];
    const p = params.get(name);
    if (!p) throw new Error(`no parameter for ${t.name}`);
    p.data.set(f.read(t.name));
  }
  model.eval();
  return model;
}

let llama: Promise<Llama> | null = null;
/** node-llama-cpp's prebuilt llama.cpp on the CPU; never builds from source (fails loudly instead). */
export function getCpuLlama(): Promise<Llama> {
  llama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  return llama;
}

export async function loadLlamaModel(path: string): Promise<LlamaModel> {
  return (await getCpuLlama()).loadModel({ modelPath: path, gpuLayers: 0 });
}

/**
 * llama.cpp's greedy continuation of `prompt` (token ids, no BOS added), with its next-token
 * probabilities at each step. f32 KV cache so attention is not rounded to f16 between steps.
 */
export async function llamaGreedy(
  model: LlamaModel,
  prompt: readonly number[],
  n: number,
  threads = 1,
): Promise<{ ids: number[]; probs: Map<number, number>[] }> {
  const context = await model.createContext({
    contextSize: Math.max(256, prompt.length + n),
    threads,
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  });
  try {
    const seq = context.getSequence();
    const next = { generateNext: { token: true, probabilities: true } } as const;
    type Input = Parameters<typeof seq.controlledEvaluate>[0];
    let input: Input = prompt.map((t, i) => (i === prompt.length - 1 ? [t as Token, next] : (t as Token)));
    const ids: number[] = [];
    const probs: Map<number, number>[] = [];
    for (let i = 0; i < n; i++) {
      const out = await seq.controlledEvaluate(input);
      const r = out[input.length - 1]?.next;
      if (r?.token === undefined || r.token === null || !r.probabilities)
        throw new Error('llama.cpp gave no token');
      ids.push(r.token);
      probs.push(r.probabilities);
      input = [[r.token, next]];
    }
    return { ids, probs };
  } finally {
    await context.dispose();
  }
}

/** Next-token probabilities after each prefix of `ids` (teacher forcing), from llama.cpp. */
export async function llamaNextProbs(
  model: LlamaModel,
  ids: readonly number[],
): Promise<Map<number, number>[]> {
  const context = await model.createContext({
    contextSize: Math.max(256, ids.length),
    threads: 1,
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  });
  try {
    const seq = context.getSequence();
    const out = await seq.controlledEvaluate(
      ids.map((t) => [t as Token, { generateNext: { probabilities: true } }]),
    );
    return ids.map((_, i) => {
      const p = out[i]?.next.probabilities;
      if (!p) throw new Error(`llama.cpp gave no probabilities at position ${i}`);
      return p;
    });
  } finally {
    await context.dispose();
  }
}

/** Our next-token probabilities after each prefix of `ids`: one forward pass, softmax per row. */
export function ourNextProbs(model: GPT, ids: readonly number[]): number[][] {
  const V = model.config.vocabSize;
  return noGrad(() => {
    const { logits } = model.forward(T.fromArray(ids, [1, ids.length]));
    return ids.map((_, i) => {
      const row = Array.from(logits.data.subarray(i * V, (i + 1) * V));
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / z);
    });
  });
}

/** How two next-token distributions per position compare: argmax agreement and max |Δp|. */
export function compareProbs(
  ours: number[][],
  theirs: Map<number, number>[],
): { top1Agree: number; positions: number; maxAbsDiff: number } {
  let agree = 0;
  let maxAbsDiff = 0;
  ours.forEach((p, i) => {
    let best = -1;
    let bestP = -1;
    for (const [t, q] of theirs[i]) {
      if (q > bestP) [best, bestP] = [t, q];
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(q - p[t]));
    }
    if (best === p.indexOf(Math.max(...p))) agree++;
  });
  return { top1Agree: agree, positions: ours.length, maxAbsDiff };
}
