// `--adapter DIR` on eval, generate and model info, and `llmfs finetune merge`: the committed
// PEFT adapter (test/fixtures/lora, made by scripts/make-lora-fixture.py) on the tiny HF GPT-2
// fixture. The merged directory loads without the adapter and gives the same logits, eval loss
// and greedy tokens; wrong adapters and missing flags are one `error:` line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { Tensor } from '../../src/tensor/tensor.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TINY = join(ROOT, 'test', 'fixtures', 'hf-gpt2', 'tiny');
const UNTIED = join(ROOT, 'test', 'fixtures', 'hf-gpt2', 'untied');
const EVAL_TEXT = join(ROOT, 'test', 'fixtures', 'hf-gpt2', 'eval.txt');
const ADAPTER = join(ROOT, 'test', 'fixtures', 'lora', 'adapter');

// A child process: in-process runMain would capture the test runner's own stdout protocol.
const llmfs = (argv: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'llmfs.mjs'), ...argv], { encoding: 'utf8' });

async function ok(argv: string[]): Promise<string> {
  const r = llmfs(argv);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function fails(argv: string[], re: RegExp): Promise<void> {
  const r = llmfs(argv);
  assert.equal(r.status, 1, argv.join(' '));
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr); // one `error:` line, no trace
  assert.match(r.stderr, /^error: /);
}

test('finetune merge: a plain HF GPT-2 directory that, without the adapter, gives the adapted logits', async () => {
  const out = mkdtempSync(join(tmpdir(), 'llmfs-merge-'));
  try {
    const said = await ok(['finetune', 'merge', '--model', TINY, '--adapter', ADAPTER, '--out', out]);
    assert.match(said, /merged .* wrote .*model\.safetensors/);
    for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'])
      assert.ok(existsSync(join(out, f)), f);
    const { tensors } = readSafetensorsFile(join(out, 'model.safetensors'));
    assert.ok(!Object.keys(tensors).some((k) => k.includes('lora')));
    assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).model_type, 'gpt2');
    const ids = new Tensor(Float32Array.from([5, 17, 40, 2, 99, 120, 7, 3]), [2, 4]);
    const merged = loadPretrained(out).model.eval().forward(ids).logits.data;
    const adapted = loadPretrained(TINY, { adapter: ADAPTER }).model.eval().forward(ids).logits.data;
    const base = loadPretrained(TINY).model.eval().forward(ids).logits.data;
    let err = 0;
    let moved = 0;
    for (let i = 0; i < merged.length; i++) {
      err = Math.max(err, Math.abs(merged[i] - adapted[i]));
      moved = Math.max(moved, Math.abs(base[i] - adapted[i]));
    }
    assert.ok(err < 1e-4, `merged vs adapted logits differ by ${err}`);
    assert.ok(moved > 0.1, 'the adapter changes the logits');

    // eval and generate with --adapter equal the merged directory's
    const evalJson = async (...a: string[]) =>
      JSON.parse(await ok(['eval', ...a, '--data', EVAL_TEXT, '--json'])) as { loss: number };
    const withAdapter = await evalJson('--model', TINY, '--adapter', ADAPTER);
    const mergedEval = await evalJson('--model', out);
    const baseEval = await evalJson('--model', TINY);
    assert.ok(Math.abs(withAdapter.loss - mergedEval.loss) < 1e-5);
    assert.notEqual(withAdapter.loss, baseEval.loss);
    const gen = async (...a: string[]) =>
      (
        JSON.parse(await ok(['generate', ...a, '--prompt', 'the', '--max-new-tokens', '8', '--json'])) as {
          ids: number[];
        }
      ).ids;
    assert.deepEqual(await gen('--model', TINY, '--adapter', ADAPTER), await gen('--model', out));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('model info --adapter: the LoRA weights are the trainable ones, the base frozen', async () => {
  const info = JSON.parse(await ok(['model', 'info', '--model', TINY, '--adapter', ADAPTER, '--json'])) as {
    parameters: number;
    trainable: number;
    frozen: number;
  };
  // r 4 on 2 blocks x (c_attn 48->144, c_proj 48->48, c_fc 48->192, c_proj 192->48)
  const lora = 2 * 4 * (48 + 144 + (48 + 48) + (48 + 192) + (192 + 48));
  assert.equal(info.trainable, lora);
  const plain = JSON.parse(await ok(['model', 'info', '--model', TINY, '--json'])) as { parameters: number };
  assert.equal(info.frozen, plain.parameters);
  const table = await ok(['model', 'info', '--model', TINY, '--adapter', ADAPTER]);
  assert.match(table, /h\.\*\.attn\.c_attn\.lora_A .*weight \(4,48\)/);
});

test('--adapter: an adapter for another base, a missing adapter or missing flags are one error line', async () => {
  await fails(
    ['eval', '--model', UNTIED, '--adapter', ADAPTER],
    /lora_B\.weight' is \(72,4\)|needs \(72,4\)|h\.0\.mlp\.c_fc/,
  );
  await fails(
    ['generate', '--model', TINY, '--adapter', '/nonexistent', '--prompt', 'a'],
    /directory not found/,
  );
  await fails(['model', 'info', '--adapter', ADAPTER], /--adapter needs --model DIR/);
  await fails(['finetune', 'merge', '--model', TINY, '--adapter', ADAPTER], /--out DIR is required/);
  await fails(['finetune', 'merge', '--model', TINY, '--out', '/tmp/x'], /--adapter DIR is required/);
  await fails(
    ['finetune', 'merge', '--model', TINY, '--adapter', ADAPTER, '--out', TINY],
    /would overwrite the input/,
  );
});
