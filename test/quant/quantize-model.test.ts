// Quantizing a whole model: every Linear of the tiny HF GPT-2 fixture becomes a QuantizedLinear;
// its forward equals dequantize-then-linear exactly; int8 logits stay within 5% of the float
// model's spread and int4 (groups of 16) within a looser bound; weights shrink about 4x and 5x; the
// next-token loss on a text moves little.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { tensor } from '../../src/tensor/creation.js';
import { linear } from '../../src/tensor/ops/matmul.js';
import { quantizeLinears } from '../../src/quant/quantize-model.js';
import { QuantizedLinear } from '../../src/quant/quantized-linear.js';
import { Linear } from '../../src/nn/layers.js';
import { LlmfsError } from '../../src/errors.js';

const FIXTURE = 'test/fixtures/hf-gpt2/tiny';

function logitsAndLoss(bits: 0 | 8 | 4) {
  const { model, tokenizer } = loadPretrained(FIXTURE);
  model.eval();
  // n_embd is 48 here, so int4 uses groups of 16 (a group must divide a row).
  const report = bits === 0 ? null : quantizeLinears(model, { bits, groupSize: 16 });
  const ids = tokenizer!.encode(readFileSync('test/fixtures/hf-gpt2/eval.txt', 'utf8')).slice(0, 41);
  const x = tensor([ids.slice(0, 40)]);
  const y = tensor([ids.slice(1, 41)]);
  const out = noGrad(() => model.forward(x, { targets: y }));
  return { logits: out.logits.data, loss: out.loss!.item(), report };
}

test('QuantizedLinear: forward is exactly dequantize-then-linear, bias kept', () => {
  const l = new Linear(64, 5);
  const q = QuantizedLinear.fromLinear(l, { bits: 4 });
  const x = tensor([[...Array(64).keys()].map((i) => Math.sin(i))]);
  const want = linear(x, q.dequantizedWeight(), l.bias).data;
  assert.deepEqual(Array.from(q.forward(x).data), Array.from(want));
  assert.throws(() => QuantizedLinear.fromLinear(l, { bits: 3 as 8 }), LlmfsError);
});

test('a quantized GPT: logits close to the float model, weights about 4x / 5x smaller, loss moves little', () => {
  const f = logitsAndLoss(0);
  let spread = 0;
  for (const v of f.logits) spread = Math.max(spread, Math.abs(v));
  for (const [bits, tol, ratio] of [
    [8, 0.05, 3.7],
    [4, 0.3, 5.0],
  ] as const) {
    const q = logitsAndLoss(bits);
    let worst = 0;
    for (let i = 0; i < f.logits.length; i++) worst = Math.max(worst, Math.abs(f.logits[i] - q.logits[i]));
    assert.ok(worst <= tol * spread, `int${bits}: max |Δ logit| ${worst} vs spread ${spread}`);
    assert.ok(q.report!.bytesBefore / q.report!.bytesAfter >= ratio, `int${bits} ratio`);
    assert.ok(
      Math.abs(q.loss - f.loss) <= (bits === 8 ? 0.01 : 0.1) * f.loss,
      `int${bits} loss ${q.loss} vs ${f.loss}`,
    );
    assert.ok(q.report!.layers.includes('h.0.attn.c_attn'));
  }
});
