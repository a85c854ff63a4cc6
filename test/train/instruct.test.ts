// Instruction tuning: Alpaca's template text exactly, batches whose loss is masked to the response
// (prompt and padding targets get the ignore index and so no gradient), a resumable batch source,
// the generated instruction set (every answer right, splits disjoint, bundled files reproducible)
// and exact-match scoring of a tiny model that learns two instructions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { crossEntropy } from '../../src/tensor/ops/loss.js';
import { GPT } from '../../src/model/index.js';
import { train, maskedTargets, batchLoss } from '../../src/train/index.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { LlmfsError } from '../../src/errors.js';
import { ALPACA, formatPrompt, makeTemplate } from '../../src/train/instruct/template.js';
import { loadTemplate } from '../../src/io/prompt-template-file.js';
import {
  encodeExample,
  instructBatch,
  InstructionSource,
  type EncodedExample,
} from '../../src/train/instruct/batches.js';
import { scoreExactMatch } from '../../src/train/instruct/score.js';
import {
  makeInstructionSet,
  freshExamples,
  parseInstructions,
  splitHeldOut,
  toAlpacaJson,
} from '../../src/data/instructions.js';

test("alpaca template: Alpaca's exact prompt text, with and without an input", () => {
  const withInput = formatPrompt(ALPACA, { instruction: 'Reverse the word.', input: 'cat' });
  assert.equal(
    withInput,
    'Below is an instruction that describes a task, paired with an input that provides further context. ' +
      'Write a response that appropriately completes the request.\n\n' +
      '### Instruction:\nReverse the word.\n\n### Input:\ncat\n\n### Response:\n',
  );
  const noInput = formatPrompt(ALPACA, { instruction: 'Name a colour.', input: '' });
  assert.equal(
    noInput,
    'Below is an instruction that describes a task. ' +
      'Write a response that appropriately completes the request.\n\n' +
      '### Instruction:\nName a colour.\n\n### Response:\n',
  );
  // Placeholder-like text in the instruction is left alone (one substitution pass).
  assert.equal(
    formatPrompt(makeTemplate('t', '{instruction}|{input}', '{instruction}'), {
      instruction: 'say {input}',
      input: 'x',
    }),
    'say {input}|x',
  );
});

test('templates from files: alpaca-lora JSON, a text file (the {input} line dropped), clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-tpl-'));
  const json = join(dir, 't.json');
  writeFileSync(
    json,
    JSON.stringify({
      prompt_input: 'Q: {instruction} ({input})\nA:',
      prompt_no_input: 'Q: {instruction}\nA:',
    }),
  );
  assert.equal(formatPrompt(loadTemplate(json), { instruction: 'hi', input: 'x' }), 'Q: hi (x)\nA:');
  const txt = join(dir, 't.txt');
  writeFileSync(txt, 'I: {instruction}\nX: {input}\nA: ');
  const t = loadTemplate(txt);
  assert.equal(formatPrompt(t, { instruction: 'go', input: 'y' }), 'I: go\nX: y\nA: ');
  assert.equal(formatPrompt(t, { instruction: 'go' }), 'I: go\nA: ');
  assert.throws(() => loadTemplate('nope'), /not a named template \(alpaca, phi3\) and no such file/);
  writeFileSync(txt, 'no placeholders');
  assert.throws(() => loadTemplate(txt), /no \{instruction\} placeholder/);
});

const EX: EncodedExample[] = [
  { ids: [5, 6, 7, 8, 9], promptLen: 3 }, // prompt 5 6 7, answer 8, end-of-text 9
  { ids: [5, 6, 8, 9], promptLen: 2 },
];

test('instruction batch: x/y shifted by one, right-padded, the mask 1 only on answer targets', () => {
  const b = instructBatch(EX, 0);
  assert.deepEqual(b.x.shape, [2, 4]);
  assert.deepEqual(Array.from(b.x.data), [5, 6, 7, 8, 5, 6, 8, 0]);
  assert.deepEqual(Array.from(b.y.data), [6, 7, 8, 9, 6, 8, 9, 0]);
  assert.deepEqual(Array.from(b.mask!.data), [0, 0, 1, 1, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(maskedTargets(b).data), [-100, -100, 8, 9, -100, 8, 9, -100]);
});

test('masked loss: prompt and padding positions get exactly zero gradient, answer positions do not', () => {
  const b = instructBatch(EX, 0);
  const V = 10;
  const rng = new T.Rng(3);
  const logits = T.randn([8, V], { rng });
  logits.requiresGrad = true;
  crossEntropy(logits, maskedTargets(b)).backward();
  for (let r = 0; r < 8; r++) {
    const row = Array.from(logits.grad!.data.subarray(r * V, r * V + V));
    if (b.mask!.data[r] === 0)
      assert.ok(
        row.every((g) => g === 0),
        `row ${r} should have no gradient`,
      );
    else
      assert.ok(
        row.some((g) => Math.abs(g) > 1e-4),
        `row ${r} should have a gradient`,
      );
  }
});

test("masked loss through a GPT: changing the prompt's targets does not change the loss", () => {
  T.manualSeed(0);
  const model = new GPT({ vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 });
  const b = instructBatch(EX, 0);
  const l1 = batchLoss(model, b).item();
  const y2 = new Float32Array(b.y.data);
  for (let i = 0; i < y2.length; i++) if (b.mask!.data[i] === 0) y2[i] = (y2[i] + 3) % 10;
  const l2 = batchLoss(model, { ...b, y: new T.Tensor(y2, b.y.shape) }).item();
  assert.equal(l1, l2);
});

test('encodeExample: prompt then answer then end-of-text; a too-long answer is cut, a too-long prompt refused', () => {
  const tok = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz :>\n');
  const t = makeTemplate('t', '{instruction} {input}>', '{instruction}>');
  const e = encodeExample(tok, t, { instruction: 'ab', input: '', output: 'cd' }, 99, 20);
  assert.deepEqual(e.ids, [...tok.encode('ab>'), ...tok.encode('cd'), 99]);
  assert.equal(e.promptLen, 3);
  assert.equal(encodeExample(tok, t, { instruction: 'ab', output: 'cdefgh' }, 99, 5).ids.length, 5);
  assert.throws(
    () => encodeExample(tok, t, { instruction: 'abcdef', output: 'x' }, 99, 5, 'data.json: example 3'),
    (err: unknown) =>
      err instanceof LlmfsError && /example 3: the prompt alone is 7 tokens/.test(err.message),
  );
});

test('instruction source: each epoch visits every example once; a saved state resumes the same batches', () => {
  const xs: EncodedExample[] = Array.from({ length: 5 }, (_, i) => ({ ids: [i, 10, 11], promptLen: 1 }));
  const s = new InstructionSource(xs, 5, 0, 4);
  const firstCol = (b: { x: T.Tensor }) => Array.from({ length: 5 }, (_, r) => b.x.data[r * 2]);
  assert.deepEqual(firstCol(s.next()).sort(), [0, 1, 2, 3, 4]);
  const saved = s.getState();
  const a = [firstCol(s.next()), firstCol(s.next())];
  const s2 = new InstructionSource(xs, 5, 0, 99);
  s2.setState(saved);
  assert.deepEqual([firstCol(s2.next()), firstCol(s2.next())], a);
  assert.throws(() => new InstructionSource([], 2, 0), /the training set is empty/);
});

test('generated instruction set: every answer is right, the same seed gives the same set', () => {
  const xs = makeInstructionSet(80, 5);
  assert.deepEqual(makeInstructionSet(80, 5), xs);
  assert.equal(xs.length, 6 * 80);
  for (const e of xs) {
    const input = e.input ?? '';
    const want: Record<string, () => string> = {
      reverse: () => input.split('').reverse().join(''),
      upper: () => input.toUpperCase(),
      sort: () => input.split('').sort().join(''),
      count: () => String(input.split(/\s+/).length),
      arithmetic: () => {
        const [a, op, b] = input.split(' ');
        return String(op === '+' ? Number(a) + Number(b) : Number(a) - Number(b));
      },
      convert: () => {
        const [v, from] = input.split(' ');
        const k: Record<string, number> = { m: 100, km: 1000, kg: 1000, h: 60, min: 60, L: 1000 };
        return `${Number(v) * k[from]} ${e.instruction.replace(/^Convert to (.*)\.$/, '$1')}`;
      },
    };
    assert.equal(e.output, want[e.task](), `${e.task}: ${input}`);
  }
});

test('bundled data/instructions: made by scripts/make-instructions.ts, held-out split disjoint from training', () => {
  const { train: tr, heldOut } = splitHeldOut(makeInstructionSet(600, 14), 50, 7);
  const bundledTrain = readFileSync('data/instructions/train.json', 'utf8');
  const bundledHeld = readFileSync('data/instructions/heldout.json', 'utf8');
  assert.equal(bundledTrain, toAlpacaJson(tr));
  assert.equal(bundledHeld, toAlpacaJson(heldOut));
  const key = (e: { instruction: string; input?: string }) => `${e.instruction}|${e.input}`;
  const seen = new Set(parseInstructions(bundledTrain, 'train.json').map(key));
  const held = parseInstructions(bundledHeld, 'heldout.json');
  assert.equal(held.length, 300);
  assert.ok(held.every((e) => !seen.has(key(e))));
  // The reinforcement-learning prompts: fresh, in neither split.
  const rl = readFileSync('data/instructions/rl-prompts.json', 'utf8');
  assert.equal(rl, toAlpacaJson(freshExamples(makeInstructionSet(600, 14), 300, 21)));
  const fresh = parseInstructions(rl, 'rl-prompts.json');
  held.forEach((e) => seen.add(key(e)));
  assert.ok(fresh.length >= 1200);
  assert.ok(fresh.every((e) => !seen.has(key(e))));
});

test('Alpaca JSON: missing fields, wrong types and an empty set are one-line errors naming the example', () => {
  assert.throws(() => parseInstructions('[]', 'd.json'), /d.json: the data set is empty/);
  assert.throws(() => parseInstructions('{}', 'd.json'), /expected a JSON array/);
  assert.throws(
    () => parseInstructions('[{"instruction":"a","output":"b"},{"instruction":"a"}]', 'd.json'),
    /example 1 has no string 'output' field/,
  );
  assert.throws(
    () => parseInstructions('[{"instruction":"a","output":"b","input":3}]', 'd.json'),
    /'input' must be a string/,
  );
});

test('instruction tuning end to end: a tiny GPT learns two instructions; exact match goes 0% -> 100%', () => {
  T.manualSeed(1);
  const tok = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz >\n');
  const eos = tok.vocabSize;
  const t = makeTemplate('t', '{instruction} {input}>', '{instruction}>');
  const data = [
    { task: 'reverse', instruction: 'rev', input: 'abc', output: 'cba' },
    { task: 'upper', instruction: 'dup', input: 'xy', output: 'xyxy' },
  ];
  const model = new GPT({ vocabSize: eos + 1, blockSize: 24, nLayer: 1, nHead: 2, nEmbd: 32 });
  const enc = data.map((e) => encodeExample(tok, t, e, eos, 25));
  const opts = { eosId: eos, maxNewTokens: 8 };
  const before = scoreExactMatch(model, tok, t, data, opts);
  assert.equal(before.overall.correct, 0);
  train(
    model,
    { batches: new InstructionSource(enc, 2, eos, 0) },
    { steps: 150, lr: 1e-2, evalInterval: 1000 },
  );
  const after = scoreExactMatch(model, tok, t, data, opts);
  assert.deepEqual(
    after.perTask.map((s) => [s.task, s.accuracy]),
    [
      ['reverse', 1],
      ['upper', 1],
    ],
  );
  assert.equal(after.samples[0].got, 'cba');
});

test('instruction batch padding: T rounded up to a multiple, never past the context, the extra positions masked', () => {
  const b = instructBatch(EX, 0, { multiple: 8, maxT: 6 });
  assert.deepEqual(b.x.shape, [2, 6]);
  assert.deepEqual(Array.from(b.mask!.data), [0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0]);
  assert.deepEqual(instructBatch(EX, 0, { multiple: 8 }).x.shape, [2, 8]);
});
