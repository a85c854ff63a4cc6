// The GGUF file we write (io/gguf/): its layout read back by node-llama-cpp's own GGUF parser
// (an independent reader) and by ours, the gpt2 tensor names, ggml dims and values, the
// tokenizer keys against the Hugging Face files they come from, and one clear line for every
// model or tokenizer GGUF's gpt2 layout cannot express.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { LlmfsError } from '../../src/errors.js';
import { exportGguf, saveGguf } from '../../src/io/gguf/export-gguf.js';
import { parseGguf, metaValue } from '../../src/io/gguf/gguf-reader.js';
import { ggufBytes } from '../../src/io/gguf/gguf-writer.js';
import { gpt2Gguf } from '../../src/io/gguf/gpt2-gguf.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { GPT } from '../../src/model/gpt.js';
import { denseMlp } from '../../src/model/block.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { trainBpe } from '../../src/tokenizer/train.js';
import { BpeTokenizer } from '../../src/tokenizer/bpe.js';
import { exportCommand } from '../../src/cli/export.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { quantizeLinears } from '../../src/quant/quantize-model.js';
import { QuantizedLinear } from '../../src/quant/quantized-linear.js';
import { tempDir, TINY } from '../interop/helpers.js';

const dir = tempDir('gguf-io');
const tinyPath = join(dir, 'tiny.gguf');
exportGguf(TINY, tinyPath, 'f32');
const tiny = parseGguf(new Uint8Array(readFileSync(tinyPath)), tinyPath);
const hf = loadPretrained(TINY);

test("node-llama-cpp's GGUF parser reads our header, metadata and tensor infos", async () => {
  const info = await readGgufFileInfo(tinyPath, { readTensorInfo: true, logWarnings: false });
  assert.equal(info.version, 3);
  assert.equal(info.tensorCount, 28);
  const m = info.metadata as unknown as Record<string, Record<string, unknown>>;
  assert.deepEqual(m.general, { architecture: 'gpt2', name: 'tiny', file_type: 0, alignment: 32 });
  assert.deepEqual(m.gpt2, {
    context_length: 48,
    embedding_length: 48,
    feed_forward_length: 192,
    block_count: 2,
    attention: { head_count: 4, layer_norm_epsilon: Math.fround(1e-3) },
    vocab_size: 289,
  });
  const theirs = info.tensorInfo!.map((t) => [
    t.name,
    t.dimensions.map(Number),
    t.ggmlType,
    Number(t.fileOffset),
  ]);
  const ours = tiny.tensors.map((t) => [t.name, t.ne, 0, t.offset]);
  assert.deepEqual(theirs, ours);
  for (const t of tiny.tensors) assert.equal((t.offset - tiny.dataOffset) % 32, 0, `${t.name} is 32-aligned`);
});

test('tensors have llama.cpp gpt2 names and ggml dims [in, out], and hold our weights unchanged', () => {
  const names = tiny.tensors.map((t) => t.name);
  assert.deepEqual(names.slice(0, 2), ['token_embd.weight', 'position_embd.weight']);
  assert.deepEqual(names.slice(-2), ['output_norm.weight', 'output_norm.bias']);
  const block = names.filter((n) => n.startsWith('blk.1.')).map((n) => n.slice(6));
  assert.deepEqual(block, [
    'attn_norm.weight',
    'attn_norm.bias',
    'attn_qkv.weight',
    'attn_qkv.bias',
    'attn_output.weight',
    'attn_output.bias',
    'ffn_norm.weight',
    'ffn_norm.bias',
    'ffn_up.weight',
    'ffn_up.bias',
    'ffn_down.weight',
    'ffn_down.bias',
  ]);
  const ne = (n: string): number[] => tiny.tensors.find((t) => t.name === n)!.ne;
  assert.deepEqual(ne('token_embd.weight'), [48, 289]);
  assert.deepEqual(ne('blk.0.attn_qkv.weight'), [48, 144]);
  assert.deepEqual(ne('blk.0.ffn_up.weight'), [48, 192]);
  assert.deepEqual(ne('blk.0.ffn_down.weight'), [192, 48]);
  const p = new Map(hf.model.namedParameters());
  const same = (gguf: string, ours: string): void =>
    assert.deepEqual([...tiny.read(gguf)], [...p.get(ours)!.data], `${gguf} = ${ours}`);
  same('token_embd.weight', 'wte.weight');
  same('position_embd.weight', 'wpe.weight');
  same('blk.1.attn_qkv.weight', 'h.1.attn.c_attn.weight');
  same('blk.1.attn_qkv.bias', 'h.1.attn.c_attn.bias');
  same('blk.0.ffn_down.weight', 'h.0.mlp.c_proj.weight');
  same('output_norm.bias', 'ln_f.bias');
});

test("tokenizer keys: vocab.json's strings in id order, merges.txt's lines, <|endoftext|> a control token", () => {
  const vocab = JSON.parse(readFileSync(join(TINY, 'vocab.json'), 'utf8')) as Record<string, number>;
  const byId: string[] = [];
  for (const [s, id] of Object.entries(vocab)) byId[id] = s;
  assert.equal(metaValue(tiny.metadata, 'tokenizer.ggml.model'), 'gpt2');
  assert.equal(metaValue(tiny.metadata, 'tokenizer.ggml.pre'), 'gpt-2');
  assert.deepEqual(metaValue(tiny.metadata, 'tokenizer.ggml.tokens'), byId);
  const merges = readFileSync(join(TINY, 'merges.txt'), 'utf8').split('\n').slice(1).filter(Boolean);
  assert.deepEqual(metaValue(tiny.metadata, 'tokenizer.ggml.merges'), merges);
  const types = metaValue(tiny.metadata, 'tokenizer.ggml.token_type') as number[];
  assert.equal(types[288], 3);
  assert.ok(types.slice(0, 288).every((t) => t === 1));
  assert.equal(metaValue(tiny.metadata, 'tokenizer.ggml.eos_token_id'), 288);
  assert.equal(metaValue(tiny.metadata, 'tokenizer.ggml.bos_token_id'), 288);
  assert.equal(metaValue(tiny.metadata, 'tokenizer.ggml.add_bos_token'), false);
});

test('ids the tokenizer does not use are padded with unused [PADn] tokens up to the vocabulary size', () => {
  const tok = trainBpe('hello world, hello there '.repeat(5), {
    vocabSize: 262,
    specialTokens: ['<|endoftext|>'],
  });
  const model = new GPT({ vocabSize: 266, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 32 });
  const plan = gpt2Gguf(model, 'f32', 'pad', new Map());
  const f = parseGguf(ggufBytes(plan.metadata, plan.tensors));
  assert.equal(f.tensors.length, 2 + 12 + 2);
  const path = join(dir, 'pad.gguf');
  const r = saveGguf(path, model, tok, { quant: 'f32', name: 'pad', eosTokenId: 261 });
  assert.equal(r.padded, 4);
  const g = parseGguf(new Uint8Array(readFileSync(path)));
  const tokens = metaValue(g.metadata, 'tokenizer.ggml.tokens') as string[];
  assert.deepEqual(tokens.slice(261), ['<|endoftext|>', '[PAD262]', '[PAD263]', '[PAD264]', '[PAD265]']);
  assert.deepEqual(
    (metaValue(g.metadata, 'tokenizer.ggml.token_type') as number[]).slice(260),
    [1, 3, 5, 5, 5, 5],
  );
});

test('q8_0 / q4_0: matrices are quantized, norms, biases and positions stay f32; odd widths fall back to f16', () => {
  const model = new GPT({ vocabSize: 300, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32 });
  const types = (q: 'q8_0' | 'q4_0' | 'f16'): Record<string, string> => {
    const plan = gpt2Gguf(model, q, 'q', new Map());
    assert.deepEqual(plan.fellBack, []);
    return Object.fromEntries(plan.tensors.map((t) => [t.name, t.type]));
  };
  for (const [q, T] of [
    ['q8_0', 'Q8_0'],
    ['q4_0', 'Q4_0'],
    ['f16', 'F16'],
  ] as const) {
    const t = types(q);
    for (const n of ['token_embd', 'blk.0.attn_qkv', 'blk.0.attn_output', 'blk.0.ffn_up', 'blk.0.ffn_down'])
      assert.equal(t[`${n}.weight`], T, `${q} ${n}`);
    for (const n of [
      'position_embd.weight',
      'blk.0.attn_norm.weight',
      'blk.0.ffn_up.bias',
      'output_norm.bias',
    ])
      assert.equal(t[n], 'F32', `${q} ${n}`);
  }
  // The tiny fixture's C = 48 is not whole 32-value blocks: f16, as llama.cpp's converter falls back.
  const r = exportGguf(TINY, join(dir, 'tiny-q8.gguf'), 'q8_0');
  assert.deepEqual(r.fellBack.slice(0, 3), [
    'token_embd.weight',
    'blk.0.attn_qkv.weight',
    'blk.0.attn_output.weight',
  ]);
  const f = parseGguf(new Uint8Array(readFileSync(r.path)));
  assert.equal(f.tensors.find((t) => t.name === 'blk.0.attn_qkv.weight')!.type, 'F16');
  assert.equal(metaValue(f.metadata, 'general.quantization_version'), 2);
  assert.equal(metaValue(f.metadata, 'general.file_type'), 7);
});

const base = { vocabSize: 262, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 32 };
const tok = trainBpe('hello world '.repeat(10), { vocabSize: 262, specialTokens: ['<|endoftext|>'] });
const save = (model: GPT, t: unknown = tok): unknown =>
  saveGguf(join(dir, 'bad.gguf'), model, t as BpeTokenizer, { quant: 'f32', name: 'x', eosTokenId: 261 });

test('architectures the gpt2 layout cannot express: one line naming the llama layout', () => {
  for (const [cfg, what] of [
    [
      { positions: 'rope' },
      /RoPE positions; RoPE \+ RMSNorm \+ SwiGLU is the llama layout \(general.architecture = llama\)/,
    ],
    [{ norm: 'rmsnorm' }, /this model has RMSNorm; .*general.architecture = llama.*writes gpt2 only/],
    [{ mlp: 'swiglu' }, /a SwiGLU MLP/],
    [{ positions: 'rope', norm: 'rmsnorm', mlp: 'swiglu' }, /RoPE positions \+ RMSNorm \+ a SwiGLU MLP/],
    [{ activation: 'relu' }, /the MLP uses 'relu'; llama.cpp's gpt2 runs GELU in its tanh form/],
    [{ headDim: 8 }, /2 heads of 8 \(16 wide, not n_embd = 32: heads were pruned\)/],
    [{ attention: 'sliding', window: 4 }, /the attention is 'sliding'; llama.cpp's gpt2 attends to every/],
  ] as const) {
    assert.throws(
      () => save(new GPT({ ...base, ...cfg })),
      (e: Error) => e instanceof LlmfsError && what.test(e.message),
    );
  }
  assert.ok(!existsSync(join(dir, 'bad.gguf')), 'nothing written');
});

test('tokenizers GGUF gpt2 cannot express are refused with one line', () => {
  const model = new GPT(base);
  const char = new CharTokenizer([...'helo wrd']);
  assert.throws(() => save(model, char), /tokenizer is char-level; GGUF's gpt2 tokenizer is byte-level BPE/);
  const none = new BpeTokenizer({
    vocab: tok.vocab,
    rules: tok.rules,
    merges: tok.merges,
    pretokenizer: { type: 'none' },
  });
  assert.throws(
    () => save(model, none),
    /pre-tokenizer is 'none'; llama.cpp's gpt2 tokenizer .* GPT-2's regex only/,
  );
  assert.throws(() => save(model, null), /has no tokenizer/);
});

test('the reader refuses a damaged file with one line naming it', () => {
  const good = new Uint8Array(readFileSync(tinyPath));
  const bad = (bytes: Uint8Array, what: RegExp): void =>
    assert.throws(
      () => parseGguf(bytes, 'x.gguf'),
      (e: Error) => e instanceof LlmfsError && what.test(e.message),
    );
  bad(good.slice(0, 1000), /x.gguf: not a valid GGUF file \(.*runs past the end/);
  bad(good.slice(0, good.length - 100), /data runs past the end of the file/);
  const magic = good.slice();
  magic[0] = 0x48;
  bad(magic, /no GGUF magic/);
  const counts = good.slice();
  new DataView(counts.buffer).setBigUint64(8, 1n << 40n, true);
  bad(counts, /counts larger than the file/);
});

test('llmfs export --format gguf writes the file; missing flags are one clear line', async () => {
  const out = join(dir, 'cli.gguf');
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(
      await exportCommand.run(['--format', 'gguf', '--model', TINY, '--out', out, '--quant', 'f16']),
      0,
    );
  } finally {
    console.log = log;
  }
  assert.equal(parseGguf(new Uint8Array(readFileSync(out))).tensors[0].type, 'F16');
  await assert.rejects(
    async () => exportCommand.run(['--format', 'gguf', '--model', TINY]),
    /--out is required/,
  );
  await assert.rejects(async () => exportCommand.run(['--format', 'onnx']), /--format must be one of gguf/);
  await assert.rejects(
    async () => exportCommand.run(['--format', 'gguf', '--model', TINY, '--out', out, '--quant', 'q5_1']),
    /--quant must be one of f32, f16, q8_0, q4_0/,
  );
});

test('our checkpoint directory exports too, with <|endoftext|> as bos/eos', () => {
  const model = new GPT(base);
  const ckpt = join(dir, 'ckpt');
  saveModel(ckpt, model, { tokenizer: tok });
  const r = exportGguf(ckpt, join(dir, 'ckpt.gguf'), 'f32');
  assert.equal(r.eosTokenId, 261);
  const f = parseGguf(new Uint8Array(readFileSync(r.path)));
  assert.equal(metaValue(f.metadata, 'general.name'), 'ckpt');
  assert.deepEqual([...f.read('blk.0.ffn_up.weight')], [...denseMlp(model.h.at(0), 'test').c_fc.weight.data]);
});

test('a model with quantized Linears exports their dequantized weights', () => {
  const model = new GPT(base);
  quantizeLinears(model, { bits: 4, groupSize: 32 });
  const plan = gpt2Gguf(model, 'f32', 'q', new Map());
  const f = parseGguf(ggufBytes(plan.metadata, plan.tensors));
  const attn = model.h.at(0).attn.c_attn as unknown as QuantizedLinear;
  assert.ok(attn instanceof QuantizedLinear);
  assert.deepEqual([...f.read('blk.0.attn_qkv.weight')], [...attn.dequantizedWeight().data]);
});
