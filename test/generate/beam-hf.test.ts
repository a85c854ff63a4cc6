// Beam search against Hugging Face's definition: lengthPenalty, earlyStopping (true / false /
// 'never') and numReturnSequences as transformers' BeamSearchScorer uses them, checked on a
// table "model" against a plain-Python restatement of HF's scorer (scripts/make-beam-fixture.py)
// and by hand; GNMT's length penalty as the named alternative.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { beamSearch, logSoftmaxRow } from '../../src/generate/index.js';
import type { BeamSearchOptions, EarlyStopping } from '../../src/generate/index.js';
import { tableLm } from './models.js';

interface Golden {
  vocabSize: number;
  eosId: number;
  prompt: number[];
  logits: number[][];
  cases: {
    options: BeamSearchOptions;
    expected: { ids: number[]; logprob: number; score: number; finished: boolean }[];
    steps: number;
  }[];
}
const fixture = new URL('../fixtures/beam-search-golden.json', import.meta.url);
const golden = JSON.parse(readFileSync(fixture, 'utf8')) as Golden;
const { vocabSize: V, eosId, prompt, logits } = golden;

function search(o: BeamSearchOptions): { hyps: ReturnType<typeof beamSearch>; steps: number } {
  const lm = tableLm(logits, V);
  const hyps = beamSearch(lm, prompt, { eosId, ...o });
  return { hyps, steps: lm.calls };
}

test('beam search equals the HF scorer: hypotheses, scores and steps for every early-stopping mode', () => {
  for (const c of golden.cases) {
    for (const useCache of [true, false]) {
      const { hyps, steps } = search({ ...c.options, useCache });
      const what = JSON.stringify(c.options);
      assert.equal(steps, c.steps, `${what}: forward passes`);
      assert.equal(hyps.length, c.expected.length, what);
      hyps.forEach((h, i) => {
        const e = c.expected[i];
        assert.deepEqual(h.ids, e.ids, `${what} #${i}`);
        assert.equal(h.finished, e.finished, `${what} #${i}`);
        assert.ok(Math.abs(h.logprob - e.logprob) < 1e-9, `${what} #${i} logprob ${h.logprob}`);
        assert.ok(Math.abs(h.score - e.score) < 1e-9, `${what} #${i} score ${h.score} vs ${e.score}`);
      });
    }
  }
});

test('by hand: a finished hypothesis scores logprob / len^α, len = generated tokens + eos', () => {
  const lsm = (a: number, b: number) => logSoftmaxRow(logits[a * V + b]);
  // After the prompt [3, 5]: token 4, then end-of-text. Two generated tokens, the prompt not counted.
  const logprob = lsm(3, 5)[4] + lsm(5, 4)[eosId];
  const o = { eosId, beams: 3, maxNewTokens: 8, numReturnSequences: 3 };
  const hf = beamSearch(tableLm(logits, V), prompt, o);
  const h = hf.find((x) => x.ids.length === 1 && x.ids[0] === 4)!;
  assert.ok(Math.abs(h.logprob - logprob) < 1e-12);
  assert.ok(Math.abs(h.score - logprob / 2) < 1e-12, 'HF: / 2^1');
  const gnmtOptions = { ...o, lengthPenaltyFormula: 'gnmt', lengthPenalty: 0.6 } as const;
  const gnmt = beamSearch(tableLm(logits, V), prompt, gnmtOptions);
  const g = gnmt.find((x) => x.ids.length === 1 && x.ids[0] === 4)!;
  assert.ok(Math.abs(g.score - logprob / Math.pow(7 / 6, 0.6)) < 1e-12, 'GNMT: / ((5 + 2) / 6)^0.6');
});

test("HF's and GNMT's penalties rank differently; true, false and 'never' stop at different steps", () => {
  const base = { beams: 3, maxNewTokens: 8, numReturnSequences: 3, lengthPenalty: 1 };
  const hf = search(base);
  const gnmt = search({ ...base, lengthPenaltyFormula: 'gnmt' });
  assert.deepEqual(hf.hyps[0].ids, [4], 'len^1 favours the longer output');
  assert.deepEqual(gnmt.hyps[0].ids, [], "GNMT's gentler penalty keeps the immediate end-of-text first");
  const steps = (earlyStopping: EarlyStopping) => search({ ...base, earlyStopping }).steps;
  assert.equal(steps(true), 4, 'true: as soon as 3 hypotheses have finished');
  assert.equal(steps(false), 5, 'false (the default): when the best candidate, scored now, cannot win');
  assert.equal(steps('never'), 8, "'never': only when no live beam could win even at maxNewTokens");
  const byDefault = search({ beams: 3, maxNewTokens: 8, lengthPenalty: 1 });
  assert.equal(byDefault.steps, 5, 'earlyStopping defaults to false');
});

test('HF defaults: lengthPenalty 1, earlyStopping false, one returned sequence', () => {
  const d = search({ beams: 3, maxNewTokens: 8 });
  const explicit = search({ beams: 3, maxNewTokens: 8, lengthPenalty: 1, earlyStopping: false });
  assert.equal(d.hyps.length, 1);
  assert.deepEqual(d, explicit);
  assert.deepEqual(d.hyps, search({ beams: 3, maxNewTokens: 8, numReturnSequences: 3 }).hyps.slice(0, 1));
});

test('beam search option errors name the option and the allowed values', () => {
  const lm = tableLm(logits, V);
  const run = (o: BeamSearchOptions) => () => beamSearch(lm, prompt, o);
  assert.throws(run({ beams: 2, numReturnSequences: 3 }), /numReturnSequences must be in \[1, 2\]/);
  assert.throws(run({ earlyStopping: 'sometimes' as never }), /earlyStopping must be true, false or 'never'/);
  assert.throws(run({ lengthPenaltyFormula: 'wu' as never }), /lengthPenaltyFormula must be 'hf' or 'gnmt'/);
});
