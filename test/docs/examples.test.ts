// Every runnable example of chapters 0-8 runs, and the output printed in its chapter is exactly
// what it prints now (so the docs never drift from the code). Chapter 9's examples have their
// own tests beside the code they show (test/io/docs.test.ts, test/interop/docs.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const examples: [string, string][] = [
  ['00-exercises.ts', '00-start-here.md'],
  ['01-autograd.ts', '01-tensors-and-autograd.md'],
  ['02-char.ts', '02-tokenization.md'],
  ['02-bpe-merges.ts', '02-tokenization.md'],
  ['02-gpt2.ts', '02-tokenization.md'],
  ['03-positions.ts', '03-embeddings-and-positions.md'],
  ['04-attention.ts', '04-attention.md'],
  ['05-blocks.ts', '05-transformer-blocks.md'],
  ['06-gpt.ts', '06-gpt-and-encoder-decoder.md'],
  ['07-training.ts', '07-training.md'],
  ['08-strategies.ts', '08-generation.md'],
  ['08-kv-cache.ts', '08-generation.md'],
  ['08-beam-search.ts', '08-generation.md'],
  ['11-lora.ts', '11-fine-tuning.md'],
  ['11-classify.ts', '11-fine-tuning.md'],
  ['12-alignment.ts', '12-alignment.md'],
  ['13-quantization.ts', '13-compression-and-deployment.md'],
  ['14-diagnose.ts', '14-diagnosing-a-model.md'],
  ['15-variants.ts', '15-attention-variants-and-moe.md'],
  ['16-configs.ts', '16-from-gpt2-to-llama-and-qwen.md'],
  ['17-vlm.ts', '17-seeing.md'],
  ['18-four-ways.ts', '18-training-in-parallel.md'],
  ['19-the-page-in-node.ts', '19-the-lab.md'],
];

for (const [example, chapter] of examples) {
  test(`docs: ${example} runs and its output appears verbatim in ${chapter}`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'docs', 'examples', example)], {
      encoding: 'utf8',
      cwd: root,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trimEnd();
    assert.ok(out.length > 0);
    const text = readFileSync(join(root, 'docs', chapter), 'utf8');
    assert.ok(text.includes(out), `the copy of ${example}'s output in ${chapter} is stale:\n${out}`);
  });
}
