// Quantized checkpoints on disk (io/quant-layout.ts) and `llmfs quantize`: a quantized model
// saved and loaded gives exactly the logits it gave before saving; the file holds I8 / U8 codes
// with F32 scales and config.json says how to read them; damaged layouts, bad options and training
// a quantized model are one clear line each; generate and eval read the quantized directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { openSafetensorsFile } from '../../src/io/safetensors-file.js';
import { writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { quantizeModel, quantizedModules } from '../../src/quant/quantize-model.js';
import { QuantizedEmbedding } from '../../src/quant/quantized-embedding.js';
import { dequantizeWeight } from '../../src/quant/qmatmul.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { tensor } from '../../src/tensor/creation.js';
import { linear } from '../../src/tensor/ops/matmul.js';
import { Embedding } from '../../src/nn/layers.js';
import { LlmfsError } from '../../src/errors.js';
import { quantizeCommand } from '../../src/cli/quantize.js';
import { evalCommand } from '../../src/cli/eval.js';
import { generateCommand } from '../../src/cli/generate.js';
import { modelCommand } from '../../src/cli/model.js';
import type { Command } from '../../src/cli/command.js';
import type { GPT } from '../../src/model/gpt.js';

const FIXTURE = 'test/fixtures/hf-gpt2/tiny';
const TEXT = 'test/fixtures/hf-gpt2/eval.txt';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'llmfs-quant-'));

function logits(model: GPT): Float32Array {
  model.eval();
  return noGrad(() => model.computeLogits(tensor([[1, 5, 9, 2, 7, 3, 11, 4]]))).data as Float32Array;
}

/** Runs a command with console output captured; an LlmfsError becomes `error: ...` and code 1. */
async function run(cmd: Command, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const saved = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  try {
    return { code: (await cmd.run(argv)) ?? 0, out, err: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, out, err: e.message };
  } finally {
    console.log = saved;
  }
}

for (const o of [
  { bits: 8 as const },
  { bits: 4 as const, groupSize: 16 },
  { bits: 4 as const, groupSize: 16, zeroPoint: true },
]) {
  test(`a quantized checkpoint (${JSON.stringify(o)}) loads back to exactly the same logits`, () => {
    const { model, tokenizer } = loadPretrained(FIXTURE);
    quantizeModel(model, o);
    const before = logits(model);
    const dir = join(tmp(), 'q');
    saveModel(dir, model, { tokenizer });
    const back = loadPretrained(dir);
    assert.equal(quantizedModules(back.model).length, quantizedModules(model).length);
    assert.deepEqual(Array.from(logits(back.model)), Array.from(before));

    // The layout: integer codes with F32 scales, and the config block that explains them.
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(cfg.quantization.bits, o.bits);
    assert.equal(cfg.quantization.group_size, o.bits === 4 ? 16 : null);
    assert.ok(cfg.quantization.modules.includes('wte') && cfg.quantization.modules.includes('h.0.mlp.c_fc'));
    const r = openSafetensorsFile(join(dir, 'model.safetensors'));
    const info = new Map(r.tensors.map((t) => [t.name, t]));
    r.close();
    const C = model.config.nEmbd;
    const w = info.get('h.0.mlp.c_fc.weight')!;
    const scale = info.get('h.0.mlp.c_fc.weight_scale')!;
    if (o.bits === 8) {
      assert.deepEqual([w.dtype, w.shape, scale.shape], ['I8', [4 * C, C], [4 * C]]);
    } else {
      assert.deepEqual([w.dtype, w.shape, scale.shape], ['U8', [4 * C, C / 2], [4 * C, C / 16]]);
      assert.equal(info.has('h.0.mlp.c_fc.weight_zero'), o.zeroPoint === true);
    }
    assert.equal(info.get('h.0.mlp.c_fc.bias')!.dtype, 'F32');
    assert.equal(info.get('ln_f.weight')!.dtype, 'F32');
  });
}

test('QuantizedEmbedding: a lookup is the dequantized row, the tied head multiplies by the table', () => {
  const e = new Embedding(10, 32);
  const q = QuantizedEmbedding.fromEmbedding(e, { bits: 4, groupSize: 16 });
  const table = dequantizeWeight(q.weightQ);
  const rows = q.forward([3, 0, 9]).data;
  for (const [k, id] of [3, 0, 9].entries())
    assert.deepEqual(
      Array.from(rows.subarray(k * 32, k * 32 + 32)),
      Array.from(table.data.subarray(id * 32, id * 32 + 32)),
    );
  const x = tensor([[...Array(32).keys()].map((i) => Math.cos(i))]);
  assert.deepEqual(Array.from(q.project(x).data), Array.from(linear(x, table).data));
  assert.throws(() => q.forward([10]), /outside the vocabulary of 10/);
});

test('a damaged quantized checkpoint is one clear line', () => {
  const { model, tokenizer } = loadPretrained(FIXTURE);
  quantizeModel(model, { bits: 8 });
  const dir = join(tmp(), 'q');
  saveModel(dir, model, { tokenizer });
  const cfgPath = join(dir, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
  const expectLoad = (edit: (c: Record<string, unknown>) => void, re: RegExp): void => {
    const c = structuredClone(cfg);
    edit(c);
    writeFileSync(cfgPath, JSON.stringify(c));
    assert.throws(
      () => loadPretrained(dir),
      (e: unknown) => e instanceof LlmfsError && re.test(e.message),
    );
  };
  expectLoad((c) => ((c.quantization as Record<string, unknown>).bits = 3), /bits must be 8 or 4, got 3/);
  expectLoad(
    (c) => ((c.quantization as Record<string, unknown>).modules = ['h.0.ln_1']),
    /not a Linear layer/,
  );
  expectLoad((c) => delete c.quantization, /integer tensor .* has no "quantization" block/);
  expectLoad(
    (c) => Object.assign(c.quantization as object, { bits: 4, group_size: 16 }),
    /must be U8 for int4, got I8/,
  );
  // A scale tensor gone from the file.
  writeFileSync(cfgPath, JSON.stringify(cfg));
  const r = openSafetensorsFile(join(dir, 'model.safetensors'));
  const all: Record<string, ReturnType<typeof r.read> | ReturnType<typeof r.readInts>> = {};
  for (const t of r.tensors) all[t.name] = t.dtype === 'F32' ? r.read(t.name) : r.readInts(t.name);
  r.close();
  delete all['h.1.attn.c_proj.weight_scale'];
  writeSafetensorsFile(join(dir, 'model.safetensors'), all);
  assert.throws(() => loadPretrained(dir), /missing scales 'h\.1\.attn\.c_proj\.weight_scale'/);
});

test('llmfs quantize: sizes and perplexity before and after; generate and eval read the result', async () => {
  const out = join(tmp(), 'q8');
  const q = await run(quantizeCommand, [
    '--model',
    FIXTURE,
    '--out',
    out,
    '--bits',
    '8',
    '--data',
    TEXT,
    '--json',
  ]);
  assert.equal(q.code, 0, q.err);
  const rep = JSON.parse(q.out);
  assert.ok(rep.weightBytesAfter / rep.weightBytesBefore < 0.27, JSON.stringify(rep));
  assert.ok(rep.fileBytesAfter < 0.4 * rep.fileBytesBefore, JSON.stringify(rep));
  assert.ok(Math.abs(rep.perplexityAfter / rep.perplexityBefore - 1) < 0.01, JSON.stringify(rep));
  assert.equal(rep.fileBytesAfter, statSync(join(out, 'model.safetensors')).size);
  const ev = await run(evalCommand, ['--model', out, '--data', TEXT, '--json']);
  assert.equal(ev.code, 0, ev.err);
  assert.ok(Math.abs(JSON.parse(ev.out).perplexity - rep.perplexityAfter) < 1e-6 * rep.perplexityAfter);
  const gen = await run(generateCommand, [
    '--model',
    out,
    '--prompt',
    'hello',
    '--max-new-tokens',
    '5',
    '--seed',
    '1',
  ]);
  assert.equal(gen.code, 0, gen.err); // (generate streams its text to stdout, not captured here)
});

test('llmfs quantize: the files beside our checkpoint (a prompt template, a head) come along', async () => {
  const dir = tmp();
  const { model, tokenizer } = loadPretrained(FIXTURE);
  const src = join(dir, 'src');
  saveModel(src, model, {
    tokenizer,
    trainingState: { step: 3 },
    extraFiles: { 'prompt_template.json': '{"name":"alpaca"}\n' },
  });
  const out = join(dir, 'q');
  assert.equal((await run(quantizeCommand, ['--model', src, '--out', out])).code, 0);
  assert.equal(readFileSync(join(out, 'prompt_template.json'), 'utf8'), '{"name":"alpaca"}\n');
  assert.throws(() => statSync(join(out, 'training_state.json')), /ENOENT/);
});

test('llmfs quantize: bad options and training a quantized model are one clear line', async () => {
  const dir = tmp();
  const bad: [string[], RegExp][] = [
    [['--bits', '3'], /--bits must be 8 or 4, got 3/],
    [['--bits', '8', '--group', '16'], /--group and --zero-point are for --bits 4/],
    [['--bits', '4', '--group', '20'], /--group 20 does not divide the width 48 of h\.0\.attn\.c_attn/],
    [['--bits', '4', '--group', '7'], /--group must be an even number/],
  ];
  for (const [flags, re] of bad) {
    const r = await run(quantizeCommand, ['--model', FIXTURE, '--out', join(dir, 'x'), ...flags]);
    assert.equal(r.code, 1);
    assert.match(r.err, re);
  }
  const same = await run(quantizeCommand, ['--model', FIXTURE, '--out', FIXTURE]);
  assert.match(same.err, /would overwrite the input/);
  const q4 = join(dir, 'q4');
  assert.equal(
    (await run(quantizeCommand, ['--model', FIXTURE, '--out', q4, '--bits', '4', '--group', '16'])).code,
    0,
  );
  // model info counts the quantized weights (frozen) and names their format.
  const info = await run(modelCommand, ['info', '--model', q4, '--json']);
  const mods = JSON.parse(info.out).modules as { module: string; shapes: string; frozen: number }[];
  const wte = mods.find((m) => m.module === 'wte')!;
  assert.match(wte.shapes, /weight int4 \(/);
  assert.ok(wte.frozen > 0);
  assert.throws(
    () => loadPretrained(q4, { forTraining: 'finetune instruct' }),
    /finetune instruct: .* is a quantized checkpoint \(int4\); training needs float weights/,
  );
  assert.throws(() => loadPretrained(q4, { adapter: dir }), /a LoRA adapter applies to float weights/);
});
