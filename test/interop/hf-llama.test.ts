// Hugging Face Llama-family directories: tiny random LlamaForCausalLM (sharded, llama3 rope
// scaling), Qwen2ForCausalLM (q/k/v biases, BF16), Qwen3ForCausalLM (QK-norm, head_dim ≠ C/nh,
// F16) and MistralForCausalLM (sliding window, one kv head) written by PyTorch in HF's layout
// (scripts/make-llama-fixtures.py) load into our GPT and give PyTorch's logits and greedy
// continuations, with and without the KV cache; broken copies fail with one clear line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LlmfsError } from '../../src/errors.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { saveHfLlamaDir } from '../../src/io/hf-llama-dir.js';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { GPT as GPTModel } from '../../src/model/gpt.js';
import { llamaConfigFromHf } from '../../src/io/hf-llama-config.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { generate } from '../../src/generate/generate.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/autograd.js';
import type { GPT } from '../../src/model/gpt.js';
import { maxDiff, ROOT, tempDir } from './helpers.js';

const TOL = 1e-4;
const FIXTURE = join(ROOT, 'test', 'fixtures', 'hf-llama');
const dirOf = (name: string): string => join(FIXTURE, name);
interface PromptGolden {
  ids: number[];
  logits: number[];
  greedy: number[];
}
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as Record<
  string,
  Record<'short' | 'long', PromptGolden>
>;

const logitsOf = (model: GPT, ids: number[]): Float32Array =>
  noGrad(() => model.forward(tensor([ids])).logits.data as Float32Array);

function assertGolden(model: GPT, name: string, t: { diagnostic(m: string): void }): void {
  for (const which of ['short', 'long'] as const) {
    const g = golden[name][which];
    const d = maxDiff(logitsOf(model, g.ids), g.logits);
    assert.ok(d.abs < TOL, `${name} ${which}: logits differ from PyTorch's by up to ${d.abs}`);
    t.diagnostic(`${name} ${which}: max abs diff ${d.abs.toExponential(2)}`);
    for (const useCache of [true, false]) {
      const out = generate(model, g.ids, { maxNewTokens: g.greedy.length, useCache });
      assert.deepEqual(out.ids, g.greedy, `${name} ${which}: greedy continuation (cache ${useCache})`);
    }
  }
}

const expected: Record<string, { family: string; dtypes: string[]; check: (m: GPT) => void }> = {
  llama: {
    family: 'LlamaForCausalLM',
    dtypes: ['F32'],
    check: (m) => {
      assert.equal(m.config.tieWeights, true);
      assert.equal(m.config.ropeScaling?.type, 'llama3');
      assert.equal(m.config.nKvHead, 2);
    },
  },
  qwen2: {
    family: 'Qwen2ForCausalLM',
    dtypes: ['BF16'],
    check: (m) => {
      assert.deepEqual([m.config.qkvBias, m.config.bias], [true, false]);
      assert.ok(
        [...m.h][0].attn.c_attn!.bias && ![...m.h][0].attn.c_proj.bias,
        'q/k/v biases, no o_proj bias',
      );
    },
  },
  qwen3: {
    family: 'Qwen3ForCausalLM',
    dtypes: ['F16'],
    check: (m) => {
      assert.equal(m.config.qkNorm, true);
      assert.equal(m.config.headDim * m.config.nHead, 2 * m.config.nEmbd);
    },
  },
  mistral: {
    family: 'MistralForCausalLM',
    dtypes: ['F32'],
    check: (m) => {
      assert.deepEqual([m.config.attention, m.config.window, m.config.nKvHead], ['sliding', 8, 1]);
    },
  },
};

for (const [name, want] of Object.entries(expected)) {
  test(`hf llama: the tiny ${want.family} (${want.dtypes}) gives PyTorch's logits and greedy tokens, cached or not`, (t) => {
    const p = loadPretrained(dirOf(name));
    assert.equal(p.format, 'hf-llama');
    assert.equal(p.family, want.family);
    assert.deepEqual(p.storedDtypes, want.dtypes);
    assert.equal(p.tokenizer, null);
    assert.equal(p.eosTokenId, 2);
    want.check(p.model);
    assertGolden(p.model, name, t);
  });
}

test('hf llama: the sharded Llama exported as F32 in one file and in three shards (with an index) loads back to the same logits', () => {
  const { model } = loadPretrained(dirOf('llama'));
  const g = golden.llama.long;
  for (const maxShardBytes of [0, 100_000]) {
    const dir = tempDir('llama-export');
    const written = saveHfLlamaDir(dir, model, { maxShardBytes });
    assert.equal(written.filter((f) => f.endsWith('.safetensors')).length, maxShardBytes ? 3 : 1);
    assert.equal(
      written.some((f) => f.endsWith('model.safetensors.index.json')),
      maxShardBytes > 0,
    );
    const back = loadPretrained(dir);
    assert.equal(back.family, 'LlamaForCausalLM');
    assert.ok(maxDiff(logitsOf(back.model, g.ids), g.logits).abs < TOL);
  }
});

test('hf llama: Qwen2, Qwen3 and Mistral export in their own layouts and load back unchanged', () => {
  for (const name of ['qwen2', 'qwen3', 'mistral']) {
    const { model, family } = loadPretrained(dirOf(name));
    const dir = tempDir('llama-export');
    saveHfLlamaDir(dir, model);
    const back = loadPretrained(dir);
    assert.equal(back.family, family);
    const g = golden[name].short;
    assert.ok(maxDiff(logitsOf(back.model, g.ids), g.logits).abs < TOL, name);
  }
});

function copyOf(name: string): string {
  const dir = tempDir('llama-bad');
  cpSync(dirOf(name), dir, { recursive: true });
  return dir;
}

function editConfig(dir: string, edit: (c: Record<string, unknown>) => void): void {
  const path = join(dir, 'config.json');
  const c = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(c);
  writeFileSync(path, JSON.stringify(c));
}

/** Asserts `f` throws one LlmfsError line matching `re`. */
function assertOneLine(f: () => unknown, re: RegExp): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof LlmfsError, String(err));
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    assert.match(err.message, re);
    return true;
  });
}

test('hf llama: an unsupported architecture is named, with the supported ones listed', () => {
  const dir = copyOf('qwen2');
  editConfig(dir, (c) => {
    c.model_type = 'gemma2';
    c.architectures = ['Gemma2ForCausalLM'];
  });
  assertOneLine(
    () => loadPretrained(dir),
    /architecture Gemma2ForCausalLM is not supported; supported: .*GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, MistralForCausalLM/,
  );
  editConfig(dir, (c) => {
    c.model_type = 'qwen2';
    c.architectures = ['Qwen2ForSequenceClassification'];
  });
  assertOneLine(
    () => loadPretrained(dir),
    /architectures is \["Qwen2ForSequenceClassification"\], which is not supported \(supported: GPT2LMHeadModel/,
  );
});

test('hf llama: a shard the index lists but the directory lacks is named', () => {
  const dir = copyOf('llama');
  rmSync(join(dir, 'model-00002-of-00002.safetensors'));
  assertOneLine(
    () => loadPretrained(dir),
    /model-00002-of-00002\.safetensors: shard file not found \(listed in model\.safetensors\.index\.json\)/,
  );
});

test('hf llama: a shard holding a tensor of the wrong shape or dtype is named with the tensor', () => {
  const dir = copyOf('llama');
  const shard = join(dir, 'model-00002-of-00002.safetensors');
  const { tensors } = readSafetensorsFile(shard);
  const name = 'model.layers.1.mlp.up_proj.weight';
  writeSafetensorsFile(shard, { ...tensors, [name]: tensors[name].reshape(48, 96) });
  assertOneLine(
    () => loadPretrained(dir),
    /model-00002-of-00002\.safetensors: tensor 'model\.layers\.1\.mlp\.up_proj\.weight' has shape \(48,96\) but .* implies \(96,48\)/,
  );
  const codes = { dtype: 'I8' as const, shape: [96, 48], data: new Int8Array(96 * 48) };
  writeSafetensorsFile(shard, { ...tensors, [name]: codes });
  assertOneLine(
    () => loadPretrained(dir),
    /model-00002-of-00002\.safetensors: tensor 'model\.layers\.1\.mlp\.up_proj\.weight' has dtype I8; expected F32, F16 or BF16/,
  );
});

test('hf llama: a tensor the index places in a shard that lacks it, and a missing tensor, are named', () => {
  const dir = copyOf('llama');
  const idx = join(dir, 'model.safetensors.index.json');
  const index = JSON.parse(readFileSync(idx, 'utf8')) as { weight_map: Record<string, string> };
  index.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
  writeFileSync(idx, JSON.stringify(index));
  assertOneLine(
    () => loadPretrained(dir),
    /model-00001-of-00002\.safetensors: has no tensor 'model\.norm\.weight'/,
  );
  delete index.weight_map['model.norm.weight'];
  writeFileSync(idx, JSON.stringify(index));
  assertOneLine(
    () => loadPretrained(dir),
    /tensor 'model\.norm\.weight' is missing \(needed by .*config\.json/,
  );
  index.weight_map['x'] = '../model.safetensors';
  writeFileSync(idx, JSON.stringify(index));
  assertOneLine(() => loadPretrained(dir), /expected a shard file name in the same directory/);
});

test('hf llama: config variants we cannot compute are refused in one line each', () => {
  const base = JSON.parse(readFileSync(join(dirOf('llama'), 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling type "yarn" is not supported/],
    [{ hidden_act: 'gelu' }, /hidden_act "gelu" is not supported/],
    [{ attention_bias: true }, /attention_bias true with mlp_bias false is not supported/],
    [{ num_key_value_heads: 3 }, /nKvHead 3 must divide nHead 4/],
    [{ model_type: 'qwen2', use_sliding_window: true, max_window_layers: 1 }, /layers 1\.\.1 only/],
  ];
  for (const [edit, re] of cases)
    assertOneLine(() => llamaConfigFromHf({ ...base, architectures: undefined, ...edit }), re);
  // A window as long as the context is plain causal attention; "linear" scaling divides θ.
  const full = llamaConfigFromHf({ ...base, model_type: 'mistral', architectures: null, sliding_window: 64 });
  assert.equal(full.config.attention, 'full');
  const lin = llamaConfigFromHf({ ...base, rope_scaling: { type: 'linear', factor: 2 } });
  assert.deepEqual(lin.config.ropeScaling, { type: 'linear', factor: 2 });
});

test('hf llama: llmfs model info --model prints the family, the stored dtype, parameters and memory', () => {
  const bin = join(ROOT, 'bin', 'llmfs.mjs');
  const r = spawnSync(process.execPath, [bin, 'model', 'info', '--model', dirOf('qwen3')], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  // Qwen3: embed 300·32, per layer 4 norms... counted by the table; 300·32 tied head counted once.
  assert.match(lines[0], /^model .*qwen3: [\d,]+ parameters/);
  assert.equal(lines[1], 'family Qwen3ForCausalLM, stored as F16');
  assert.match(
    lines[2],
    /^memory: weights 0\.\d MB in memory \(float32\), resident \d+\.\d MB after loading \(peak \d+\.\d MB\)$/,
  );
  const json = spawnSync(process.execPath, [bin, 'model', 'info', '--model', dirOf('qwen3'), '--json'], {
    encoding: 'utf8',
  });
  const info = JSON.parse(json.stdout) as { parameters: number; weightBytes: number; family: string };
  assert.equal(info.family, 'Qwen3ForCausalLM');
  assert.equal(info.weightBytes, 4 * info.parameters);
  // Chapter 9 shows the first two lines verbatim (the resident memory varies from run to run).
  const chapter = readFileSync(join(ROOT, 'docs', '09-pretrained-weights.md'), 'utf8');
  const shown = r.stdout.split('\n').slice(0, 2).join('\n').replace(FIXTURE, 'test/fixtures/hf-llama');
  assert.ok(chapter.includes(shown), `chapter 9's model info output is stale:\n${shown}`);
});

test("hf llama: Llama 3's rope scaling is what the golden needs (without it the logits move)", () => {
  const { model } = loadPretrained(dirOf('llama'));
  const plain = new GPTModel({ ...model.config, ropeScaling: null });
  plain.loadStateDict(model.stateDict());
  const g = golden.llama.long;
  assert.ok(maxDiff(logitsOf(plain, g.ids), g.logits).abs > 1e-2, 'unscaled frequencies give other logits');
});

test('hf llama: generation_config.json lists every end-of-text id (Qwen: two), the first is eosTokenId', () => {
  const p = loadPretrained(dirOf('qwen3'));
  assert.deepEqual([p.eosTokenId, p.eosTokenIds], [2, [2, 3]]);
});

test('hf llama: llmfs export --format hf --shard-mb writes a sharded Qwen3 directory that loads to the golden logits', () => {
  const bin = join(ROOT, 'bin', 'llmfs.mjs');
  const out = join(tempDir('llama-cli'), 'qwen3');
  const args = ['export', '--format', 'hf', '--model', dirOf('qwen3'), '--out', out, '--shard-mb', '0.05'];
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote Qwen3ForCausalLM to .*model\.safetensors\.index\.json/);
  const back = loadPretrained(out);
  const g = golden.qwen3.long;
  assert.ok(maxDiff(logitsOf(back.model, g.ids), g.logits).abs < TOL);
});

test('hf llama: each model saved as our checkpoint keeps qkvBias, ropeScaling, QK-norm and the window', () => {
  for (const name of ['llama', 'qwen2', 'qwen3', 'mistral']) {
    const { model } = loadPretrained(dirOf(name));
    const dir = join(tempDir('llama-ours'), 'ckpt');
    saveModel(dir, model);
    const back = loadPretrained(dir);
    assert.equal(back.format, 'llmfs');
    assert.deepEqual(back.model.config, model.config, name);
    const g = golden[name].short;
    assert.ok(maxDiff(logitsOf(back.model, g.ids), g.logits).abs < TOL, name);
  }
});
