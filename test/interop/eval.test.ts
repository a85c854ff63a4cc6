// Perplexity evaluation: windows, hand-computable losses from a model whose logits we control,
// and PyTorch's numbers for the tiny GPT-2 on eval.txt (disjoint windows and a stride of 12).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LlmfsError } from '../../src/errors.js';
import { evalWindows, predictedCount } from '../../src/eval/windows.js';
import { evaluateText, evaluateTokens, gptLogits, type LogitsModel } from '../../src/eval/perplexity.js';
import { tokenByteCounts } from '../../src/eval/token-bytes.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { EVAL_TEXT, golden, TINY, type EvalGolden } from './helpers.js';

test('eval windows: disjoint by default, each scoring its tokens 1..L-1; the last may be shorter', () => {
  assert.deepEqual(evalWindows(7, 3), [
    { begin: 0, end: 3, scoreFrom: 1 },
    { begin: 3, end: 6, scoreFrom: 4 },
    { begin: 6, end: 7, scoreFrom: 7 },
  ]);
  assert.equal(predictedCount(evalWindows(7, 3)), 4);
});

test('eval windows: with a stride every token after the first is scored exactly once', () => {
  for (let n = 2; n < 30; n++) {
    for (let L = 2; L < 9; L++) {
      for (let S = 1; S <= L; S++) {
        const seen = new Array<number>(n).fill(0);
        for (const w of evalWindows(n, L, S)) {
          assert.ok(w.end - w.begin <= L && w.scoreFrom > w.begin);
          for (let t = w.scoreFrom; t < w.end; t++) seen[t]++;
        }
        if (S < L) assert.deepEqual(seen, [0, ...new Array<number>(n - 1).fill(1)], `n ${n} L ${L} S ${S}`);
      }
    }
  }
  assert.throws(() => evalWindows(10, 4, 5), /stride must be an integer from 1 to the context size 4/);
  assert.throws(() => evalWindows(1, 4), /at least 2 tokens/);
});

/** V = 2; at window position p the logits are [p, 0], so scoring token 0 costs ln(1 + e^-p) nats. */
function positionModel(calls: number[]): LogitsModel {
  return {
    contextSize: 3,
    logits(ids) {
      const [B, T] = ids.shape;
      calls.push(B);
      const out = new Float32Array(B * T * 2);
      for (let b = 0; b < B; b++) for (let p = 0; p < T; p++) out[(b * T + p) * 2] = p;
      return new Tensor(out, [B, T, 2]);
    },
  };
}

test('eval: losses by hand for a model whose logits depend only on the position in the window', () => {
  const c = (p: number) => Math.log(1 + Math.exp(-p));
  const tokens = new Array<number>(7).fill(0);
  const calls: number[] = [];
  // Token i stands for i + 1 bytes; windows [0,3) [3,6) [6,7) score tokens 1, 2, 4, 5.
  const tokenBytes = [1, 2, 3, 4, 5, 6, 7];
  const disjoint = evaluateTokens(positionModel(calls), tokens, { tokenBytes });
  assert.equal(disjoint.predicted, 4);
  assert.ok(Math.abs(disjoint.totalNats - 2 * (c(0) + c(1))) < 1e-6);
  assert.ok(Math.abs(disjoint.loss - (c(0) + c(1)) / 2) < 1e-6);
  assert.equal(disjoint.bytes, 2 + 3 + 5 + 6, 'only the scored tokens count');
  assert.ok(Math.abs(disjoint.bitsPerByte - (2 * (c(0) + c(1))) / Math.LN2 / 16) < 1e-6);
  assert.deepEqual(calls, [1, 1], 'the 1-token last window scores nothing and is not run');
  const strided = evaluateTokens(positionModel([]), tokens, { stride: 1, tokenBytes });
  assert.equal(strided.predicted, 6);
  assert.equal(strided.bytes, 27, 'every token but the first');
  assert.ok(
    Math.abs(strided.totalNats - (c(0) + 5 * c(1))) < 1e-6,
    'later windows score with one token of context',
  );
  const batchCalls: number[] = [];
  const batched = evaluateTokens(positionModel(batchCalls), tokens, { stride: 1, batchSize: 4 });
  assert.deepEqual(batchCalls, [4, 1]);
  assert.ok(Math.abs(batched.totalNats - strided.totalNats) < 1e-9);
});

test('eval: uniform logits give loss ln V and perplexity V', () => {
  const uniform: LogitsModel = {
    contextSize: 4,
    logits: (ids) => new Tensor(new Float32Array(ids.size * 5), [...ids.shape, 5]),
  };
  const r = evaluateTokens(uniform, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4], { stride: 2 });
  assert.ok(Math.abs(r.loss - Math.log(5)) < 1e-9 && Math.abs(r.perplexity - 5) < 1e-6);
  assert.throws(
    () => evaluateTokens(uniform, [0, 7]),
    (e: unknown) =>
      e instanceof LlmfsError && /token id 7 is outside the model's vocabulary of 5/.test(e.message),
  );
});

function assertEval(got: Record<string, number>, want: EvalGolden, what: string): void {
  for (const k of ['tokens', 'predicted', 'bytes', 'stride'] as const)
    assert.equal(got[k], want[k], `${what}: ${k}`);
  for (const k of ['totalNats', 'loss', 'perplexity', 'bitsPerByte'] as const) {
    assert.ok(
      Math.abs(got[k] - want[k]) <= 1e-5 * Math.abs(want[k]),
      `${what}: ${k} ${got[k]} vs PyTorch ${want[k]}`,
    );
  }
}

test('eval: the tiny GPT-2 on eval.txt gives PyTorch loss, perplexity and bits per byte, windowed and strided', (t) => {
  const { model, tokenizer } = loadPretrained(TINY);
  const text = readFileSync(EVAL_TEXT, 'utf8');
  assert.deepEqual(tokenizer!.encode(text), golden.eval.ids);
  const lm = gptLogits(model);
  const windows = evaluateText(lm, tokenizer!, text);
  assertEval(windows as unknown as Record<string, number>, golden.eval.windows, 'windows');
  const strided = evaluateText(lm, tokenizer!, text, { stride: 12, batchSize: 3 });
  assertEval(strided as unknown as Record<string, number>, golden.eval.stride, 'stride 12');
  t.diagnostic(
    `loss ${windows.loss} vs ${golden.eval.windows.loss}; strided ${strided.loss} vs ${golden.eval.stride.loss}`,
  );
});

test('bits per byte: a char tokenizer counts the UTF-8 bytes of the scored characters, by hand', () => {
  // "aé€😀b": 1, 2, 3, 4, 1 bytes. Windows of 3: [0,3) scores é €; [3,5) scores b.
  const text = 'aé€😀b';
  const tok = CharTokenizer.fromCorpus(text);
  const ids = tok.encode(text);
  assert.deepEqual(tokenByteCounts(tok, text, ids), [1, 2, 3, 4, 1]);
  // Uniform logits over V = 5: every scored token costs ln 5 nats = log2 5 bits.
  const uniform: LogitsModel = {
    contextSize: 3,
    logits: (x) => new Tensor(new Float32Array(x.size * 5), [...x.shape, 5]),
  };
  const r = evaluateText(uniform, tok, text);
  assert.equal(r.predicted, 3);
  assert.equal(r.bytes, 2 + 3 + 1);
  assert.ok(Math.abs(r.bitsPerByte - (3 * Math.log2(5)) / 6) < 1e-9);
  // <unk> stands for the unknown character it replaced, however many bytes it had.
  const unk = CharTokenizer.fromCorpus('ab', 'unk');
  assert.deepEqual(tokenByteCounts(unk, 'a😀b', unk.encode('a😀b')), [1, 4, 1]);
});

test("bits per byte: byte-level BPE token bytes sum to the text's bytes; the eval counts scored ones", () => {
  const { tokenizer } = loadPretrained(TINY);
  const text = readFileSync(EVAL_TEXT, 'utf8');
  const ids = tokenizer!.encode(text);
  const counts = tokenByteCounts(tokenizer!, text, ids);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    new TextEncoder().encode(text).length,
  );
  // Disjoint windows of 48 leave tokens 0, 48, ..., 336 unscored.
  let unscored = 0;
  for (let t = 0; t < ids.length; t += 48) unscored += counts[t];
  assert.equal(golden.eval.windows.bytes, 541 - unscored);
});
