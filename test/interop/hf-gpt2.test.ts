// Hugging Face GPT-2 directories: the tiny random GPT-2 that PyTorch wrote in HF's layout
// (scripts/make-hf-gpt2-fixture.py) loads into our GPT and gives PyTorch's logits, loss, tokens
// and greedy continuation; variants of its files load the same or fail with one clear error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmfsError } from '../../src/errors.js';
import { loadPretrained, loadHfGpt2 } from '../../src/io/load-pretrained.js';
import { gptConfigFromHf } from '../../src/io/hf-gpt2.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { GPT } from '../../src/model/gpt.js';
import { golden, maxDiff, TINY, UNTIED, variant } from './helpers.js';

const TOL = 1e-4;

function logitsOf(model: GPT, ids: number[]): Float32Array {
  return noGrad(() => model.forward(tensor([ids])).logits.data as Float32Array);
}

function lossOf(model: GPT, ids: number[]): number {
  return noGrad(() => model.forward(tensor([ids.slice(0, -1)]), { targets: ids.slice(1) }).loss!.item());
}

function assertMatches(
  model: GPT,
  want: { logits: number[]; loss: number },
  what: string,
): { abs: number; rel: number } {
  const d = maxDiff(logitsOf(model, golden.ids), want.logits);
  assert.ok(d.abs < TOL, `${what}: logits differ from PyTorch's by up to ${d.abs}`);
  assert.ok(Math.abs(lossOf(model, golden.ids) - want.loss) < TOL, `${what}: loss`);
  return d;
}

test('hf gpt2: the tiny model (tied head, gelu_new, eps 1e-3, hub names with buffers) gives PyTorch logits and loss', (t) => {
  const { model, tokenizer, format, eosTokenId } = loadPretrained(TINY);
  assert.equal(format, 'hf-gpt2');
  assert.equal(model.config.normEps, 1e-3);
  assert.equal(model.config.activation, 'gelu_tanh');
  assert.equal(model.config.tieWeights, true);
  assert.equal(eosTokenId, 288);
  const d = assertMatches(model, golden.tiny, 'tiny');
  t.diagnostic(`tiny: max abs diff ${d.abs.toExponential(2)}, max rel diff ${d.rel.toExponential(2)}`);
  assert.deepEqual(tokenizer!.encode(golden.text), golden.ids, "our BPE encodes like OpenAI's encoder.py");
});

test('hf gpt2: the untied model (transformer. prefix, lm_head, gelu, n_inner 72, BOOL mask buffers) gives PyTorch logits', (t) => {
  const { model } = loadHfGpt2(UNTIED);
  assert.equal(model.config.tieWeights, false);
  assert.equal(model.config.mlpHidden, 72);
  assert.equal(model.config.activation, 'gelu');
  const d = assertMatches(model, golden.untied, 'untied');
  t.diagnostic(`untied: max abs diff ${d.abs.toExponential(2)}, max rel diff ${d.rel.toExponential(2)}`);
});

test('hf gpt2: names with the transformer. prefix and a tied lm_head saved twice load the same model', () => {
  const dir = variant(TINY, {
    tensors: (ts) => {
      const out: Record<string, Tensor> = { 'lm_head.weight': ts['wte.weight'].clone() };
      for (const [k, v] of Object.entries(ts))
        if (!/\.attn\.(bias|masked_bias)$/.test(k)) out[`transformer.${k}`] = v;
      return out;
    },
  });
  const { model } = loadPretrained(dir);
  assert.equal(model.config.tieWeights, true);
  assertMatches(model, golden.tiny, 'prefixed');
});

test('hf gpt2: an lm_head that differs from wte loads as an untied head', () => {
  const dir = variant(TINY, { tensors: (ts) => ({ ...ts, 'lm_head.weight': ts['wte.weight'].mul(2) }) });
  const { model } = loadPretrained(dir);
  assert.equal(model.config.tieWeights, false);
  assert.equal(model.lm_head!.weight.data[5], 2 * model.wte.weight.data[5]);
});

test('hf gpt2: the golden check is sensitive: a wrong epsilon or GELU form changes the logits beyond tolerance', () => {
  for (const edit of [
    (c: Record<string, unknown>) => void (c.layer_norm_epsilon = 1e-5),
    (c: Record<string, unknown>) => void (c.activation_function = 'gelu'),
  ]) {
    const { model } = loadPretrained(variant(TINY, { config: edit }));
    const d = maxDiff(logitsOf(model, golden.ids), golden.tiny.logits);
    assert.ok(d.abs > 10 * TOL, `changed config still matches (max diff ${d.abs})`);
  }
});

test('hf gpt2: greedy decoding by repeated forward passes gives PyTorch next tokens', () => {
  const { model } = loadPretrained(TINY);
  const ids = [...golden.greedy.promptIds];
  const V = model.config.vocabSize;
  for (let i = 0; i < golden.greedy.ids.length; i++) {
    const logits = logitsOf(model, ids).subarray((ids.length - 1) * V);
    ids.push(logits.indexOf(Math.max(...logits)));
  }
  assert.deepEqual(ids.slice(golden.greedy.promptIds.length), golden.greedy.ids);
});

const throwsNaming = (fn: () => unknown, ...parts: (string | RegExp)[]): void => {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof LlmfsError, `not an LlmfsError: ${String(err)}`);
    for (const p of parts)
      assert.match(
        err.message,
        typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p,
      );
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
};

test('hf gpt2: a missing, misshapen or unknown tensor is one error naming the tensor and the file', () => {
  throwsNaming(
    () => loadPretrained(variant(TINY, { tensors: (ts) => void delete ts['h.1.mlp.c_fc.bias'] })),
    'model.safetensors',
    "'h.1.mlp.c_fc.bias' is missing",
  );
  throwsNaming(
    () =>
      loadPretrained(
        variant(TINY, {
          tensors: (ts) =>
            void (ts['h.0.attn.c_attn.weight'] = ts['h.0.attn.c_attn.weight'].reshape(144, 48)),
        }),
      ),
    'model.safetensors',
    "'h.0.attn.c_attn.weight' has shape (144,48)",
    'implies (48,144)',
  );
  throwsNaming(
    () =>
      loadPretrained(variant(TINY, { tensors: (ts) => void (ts['h.2.ln_1.weight'] = ts['ln_f.weight']) })),
    "unexpected tensor 'h.2.ln_1.weight'",
  );
  throwsNaming(
    () =>
      loadPretrained(
        variant(TINY, { tensors: (ts) => void (ts['transformer.wte.weight'] = ts['wte.weight']) }),
      ),
    "tensors 'transformer.wte.weight' and 'wte.weight' are the same parameter",
  );
  throwsNaming(
    () => loadPretrained(variant(TINY, { config: (c) => void (c.n_layer = 3) })),
    "'h.2.ln_1.weight' is missing",
    'config.json',
  );
  throwsNaming(
    () => loadPretrained(variant(TINY, { config: (c) => void (c.tie_word_embeddings = false) })),
    "'lm_head.weight' is missing",
  );
  // The attention-mask buffers are optional: newer exports leave them out.
  assertMatches(
    loadPretrained(variant(TINY, { tensors: (ts) => void delete ts['h.0.attn.bias'] })).model,
    golden.tiny,
    'no buffers',
  );
});

test('hf gpt2: config.json faults are one error naming the file and the field', () => {
  throwsNaming(
    () => loadPretrained(variant(TINY, { config: (c) => void (c.activation_function = 'gelu_10') })),
    'config.json',
    'activation_function "gelu_10" is not supported',
  );
  throwsNaming(
    () => loadPretrained(variant(TINY, { config: (c) => void (c.n_embd = 50) })),
    'config.json',
    'nEmbd 50 must be divisible by nHead 4',
  );
  throwsNaming(
    () => loadPretrained(variant(TINY, { config: (c) => void (c.model_type = 'llama') })),
    'config.json',
    'model_type is "llama"',
  );
  throwsNaming(
    () => loadPretrained(variant(TINY, { config: (c) => void (c.scale_attn_weights = false) })),
    'scale_attn_weights',
  );
  throwsNaming(
    () => loadPretrained(variant(TINY, { config: (c) => void (c.layer_norm_epsilon = '1e-5') })),
    'layer_norm_epsilon',
  );
  throwsNaming(() => gptConfigFromHf([], 'x/config.json'), 'x/config.json: must hold a JSON object');
  assert.equal(
    gptConfigFromHf({
      model_type: 'gpt2',
      vocab_size: 10,
      n_positions: 8,
      n_embd: 4,
      n_layer: 1,
      n_head: 2,
      activation_function: 'swish',
    }).config.activation,
    'silu',
  );
  throwsNaming(() => loadPretrained('/nonexistent/dir'), '/nonexistent/dir', 'not found');
});
