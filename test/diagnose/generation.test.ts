// diagnoseGeneration on a small random GPT whose greedy output loops: the loop is found with its
// period and start, the model's distribution at the loop's first token is reported, every remedy
// is measured, the n-gram blocking ones break the loop, and the recommendation is the loop-free
// remedy with the highest mean log-probability under the model; a model that does not loop gets
// no recommendation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { diagnoseGeneration, REMEDIES } from '../../src/diagnose/generation.js';
import { detectLoop } from '../../src/diagnose/repetition.js';

function loopingModel(): GPT {
  manualSeed(11);
  return new GPT({ vocabSize: 32, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 }).eval();
}

test('a looping greedy generation: the loop, its start, the remedies and the mildest fix', () => {
  const d = diagnoseGeneration(loopingModel(), [1, 2, 3, 4, 5, 6], { maxNewTokens: 48 });
  assert.ok(d.report.loop, 'greedy decoding of this random model loops');
  assert.deepEqual(d.report.loop, detectLoop(d.ids));
  assert.equal(d.loopStart!.index, d.report.loop!.start);
  assert.equal(d.loopStart!.id, d.ids[d.report.loop!.start]);
  assert.equal(d.loopStart!.alternatives.length, 5);
  assert.equal(d.remedies.length, REMEDIES.length);
  for (const name of ['no_repeat_ngram_size 3', 'no_repeat_ngram_size 4'])
    assert.equal(d.remedies.find((r) => r.name === name)!.report.loop, null, name);
  const fixes = d.remedies.filter((r) => r.report.loop === null);
  const best = Math.max(...fixes.map((r) => r.report.meanLogprob));
  assert.equal(d.remedies.find((r) => r.name === d.recommended)!.report.meanLogprob, best);
  assert.ok(d.report.distinct[2] < 0.6 && d.report.longestRepeat.length > 8);
  JSON.stringify(d); // a plain object: --json prints it as is
});

test('no loop, no recommendation', () => {
  const d = diagnoseGeneration(loopingModel(), [1, 2, 3], {
    maxNewTokens: 6,
    remedies: [{ name: 'no_repeat_ngram_size 3', options: { noRepeatNgramSize: 3 } }],
  });
  assert.equal(d.report.loop, null);
  assert.equal(d.loopStart, null);
  assert.equal(d.recommended, null);
});
