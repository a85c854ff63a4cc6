// The CLI end to end on a complete tiny LlamaForCausalLM directory as the hub ships one
// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json with Llama 3's chat
// template, generation_config.json; scripts/make-llama-e2e-fixture.py): `generate` (greedy, with
// and without the KV cache), `generate --chat`, `chat` over two turns and `eval` give PyTorch's ids
// and loss; a LoRA fine-tune saves a PEFT adapter that `generate --adapter` and `finetune merge` use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { ROOT, tempDir } from './helpers.js';
import { runGenerate } from '../../src/cli/generate.js';
import { evalCommand } from '../../src/cli/eval.js';
import { finetuneCommand } from '../../src/cli/finetune.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'llama-e2e');
const MODEL = join(FIXTURE, 'model');
interface Golden {
  generate: { prompt: string; promptIds: number[]; greedy: number[] }[];
  chat: { user: string; promptIds: number[]; ids: number[]; text: string }[];
  eval: { ids: number[]; loss: number };
}
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as Golden;

/**
 * Runs a command in this process (fast): console.log captured, not process.stdout, through which
 * the test runner reports. Returns what it printed.
 */
async function llmfs(args: string[]): Promise<string> {
  const [name, ...rest] = args;
  let stdout = '';
  const saved = console.log;
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  try {
    if (name === 'generate') runGenerate(rest, (s) => (stdout += s));
    else if (name === 'eval') await evalCommand.run(rest);
    else await finetuneCommand.run(rest);
  } finally {
    console.log = saved;
  }
  return stdout;
}

/** Runs bin/llmfs.mjs in a child process with `input` on stdin; stdout. */
function llmfsStdin(args: string[], input: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'llmfs.mjs'), ...args], {
    encoding: 'utf8',
    input,
    cwd: ROOT,
  });
  assert.equal(r.status, 0, `llmfs ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

interface GenerateJson {
  promptIds: number[];
  ids: number[];
  text: string;
}
const generateJson = async (args: string[]): Promise<GenerateJson> =>
  JSON.parse(await llmfs(['generate', ...args, '--max-new-tokens', '8', '--json'])) as GenerateJson;

test('llmfs generate on a Llama directory: PyTorch’s greedy ids, with and without the KV cache', async () => {
  for (const g of golden.generate)
    for (const cache of [[], ['--no-cache']]) {
      const r = await generateJson(['--model', MODEL, '--prompt', g.prompt, ...cache]);
      assert.deepEqual(r.promptIds, g.promptIds, `${g.prompt}: prompt ids (BOS first)`);
      assert.deepEqual(r.ids, g.greedy, `${g.prompt} ${cache.join('')}: greedy ids`);
    }
});

test('llmfs generate --chat: the Llama 3 template’s ids (one BOS) and PyTorch’s answer', async () => {
  const g = golden.chat[0];
  const r = await generateJson(['--model', MODEL, '--chat', '--prompt', g.user]);
  assert.deepEqual(r.promptIds, g.promptIds);
  assert.deepEqual(r.ids, g.ids);
});

test('llmfs chat: two turns from stdin, each answer PyTorch’s for the whole conversation', async () => {
  const out = llmfsStdin(
    ['chat', '--model', MODEL, '--max-new-tokens', '8'],
    golden.chat.map((t) => t.user).join('\n'),
  );
  assert.deepEqual(out.split('\n').slice(0, 2), [golden.chat[0].text, golden.chat[1].text]);
});

test('llmfs eval --data: the mean loss PyTorch computes on the text, to 1e-4', async () => {
  const r = JSON.parse(
    await llmfs(['eval', '--model', MODEL, '--data', join(FIXTURE, 'eval.txt'), '--json']),
  ) as {
    tokens: number;
    loss: number;
  };
  assert.equal(r.tokens, golden.eval.ids.length);
  assert.ok(Math.abs(r.loss - golden.eval.loss) < 1e-4, `loss ${r.loss} vs PyTorch ${golden.eval.loss}`);
});

test('LoRA fine-tune of a Llama directory: the PEFT adapter, generate --adapter and finetune merge agree', async () => {
  const dir = tempDir('llama-e2e');
  try {
    const [adapter, tuned, merged] = ['adapter', 'tuned', 'merged'].map((d) => join(dir, d));
    await llmfs([
      'finetune', 'instruct', '--model', MODEL, '--data', join(FIXTURE, 'instructions.json'),
      '--out', tuned, '--lora-r', '2', '--steps', '5', '--batch-size', '3', '--lr', '0.05',
      '--adapter-out', adapter, '--quiet',
    ]); // prettier-ignore
    const keys = Object.keys(readSafetensorsFile(join(adapter, 'adapter_model.safetensors')).tensors);
    assert.ok(keys.includes('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight'));
    assert.ok(keys.includes('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight'));
    const prompt = ['--prompt', golden.generate[0].prompt];
    const withAdapter = (await generateJson(['--model', MODEL, '--adapter', adapter, ...prompt])).ids;
    assert.notDeepEqual(withAdapter, golden.generate[0].greedy, 'the adapter changed the model');
    assert.deepEqual((await generateJson(['--model', tuned, ...prompt])).ids, withAdapter);
    await llmfs(['finetune', 'merge', '--model', MODEL, '--adapter', adapter, '--out', merged]);
    assert.deepEqual((await generateJson(['--model', merged, ...prompt])).ids, withAdapter);
    const chat = await generateJson(['--model', merged, '--chat', '--prompt', golden.chat[0].user]);
    assert.deepEqual(chat.promptIds, golden.chat[0].promptIds, 'the merged directory keeps its template');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
