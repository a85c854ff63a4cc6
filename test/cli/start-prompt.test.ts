// `llmfs start` samples from the model it trained: its prompt keeps only what the tokenizer can
// encode (a char vocabulary from other data may lack letters of the default prompt).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { samplePrompt } from '../../src/cli/start.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';

test('start: the sample prompt drops characters the vocabulary lacks, or starts from token 0', () => {
  const tok = CharTokenizer.fromCorpus('abc ');
  assert.equal(tok.decode(samplePrompt(tok, 'a cab!')), 'a cab');
  assert.deepEqual(samplePrompt(tok, 'XYZ'), [0]);
  assert.equal(tok.decode(samplePrompt(tok, 'abc')), 'abc');
});
