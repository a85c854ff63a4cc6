// The text side of the vision-language models: the word tokenizer over the scene language, the
// caption parser (the grammar read backwards), the task sequences with their scored targets, and
// the caption score behind per-attribute accuracy.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmfsError } from '../../src/errors.js';
import { parseCaption, parsePhrase, sceneExample, WordTokenizer } from '../../src/vision/index.js';
import {
  captionExample,
  IGNORE,
  sceneBatch,
  scoreCaption,
  splitAnswer,
  textBatch,
  vqaExample,
} from '../../src/vision/vlm/index.js';
import { Rng } from '../../src/tensor/rng.js';

const tok = new WordTokenizer();

test('word tokenizer: every caption, question and answer of 200 scenes round-trips through its ids', () => {
  assert.deepEqual(tok.words.slice(0, 4), ['<pad>', '<bos>', '<eos>', '<sep>']);
  for (let i = 0; i < 200; i++) {
    const r = sceneExample(i % 2 ? 'train' : 'unseen', i).record;
    for (const text of [r.caption, ...r.questions.flatMap((q) => [q.question, q.answer])])
      assert.equal(tok.decode(tok.encode(text)), text);
  }
  assert.deepEqual(
    tok.encode('how many objects?').map((id) => tok.piece(id)),
    ['how', 'many', 'objects', '?'],
  );
  assert.equal(tok.decode([tok.bosId, ...tok.encode('a red'), tok.eosId, tok.padId]), 'a red');
});

test('word tokenizer: a word outside the scene language is one clear error', () => {
  assert.throws(
    () => tok.encode('a pink circle'),
    (e: Error) => e instanceof LlmfsError && /'pink'/.test(e.message),
  );
  assert.throws(() => tok.piece(tok.vocabSize), /outside the vocabulary/);
});

test('caption parser: the caption of every one of 300 scenes parses back to its objects', () => {
  for (let i = 0; i < 300; i++) {
    const r = sceneExample('test', i).record;
    const want = r.objects.map(({ size, colour, shape, position }) => ({ size, colour, shape, position }));
    assert.deepEqual(parseCaption(r.caption), want);
  }
  assert.deepEqual(parseCaption(''), []);
  assert.equal(parsePhrase('a large red circle at the middle'), null);
  assert.equal(parsePhrase('a huge red circle in the centre'), null);
  assert.deepEqual(parseCaption('a small red circle on the left and a large blue'), [
    { size: 'small', colour: 'red', shape: 'circle', position: 'left' },
    null,
  ]);
});

test('caption score: objects matched by cell; a missed object scores nothing and shifts no other', () => {
  const truth = 'a small red circle on the left and a large blue square at the bottom right';
  const s = scoreCaption(truth, 'a large blue cross at the bottom right');
  assert.equal(s.exact, false);
  assert.equal(s.objects, 2);
  assert.deepEqual(s.correct, { size: 1, colour: 1, shape: 0, position: 1 });
  assert.equal(s.countRight, false);
  const extra = scoreCaption(truth, `a small red circle at the top and ${truth}`); // a phrase too many
  assert.deepEqual(extra.correct, { size: 2, colour: 2, shape: 2, position: 2 });
  assert.equal(extra.countRight, false);
  assert.deepEqual(scoreCaption(truth, truth), {
    exact: true,
    objects: 2,
    correct: { size: 2, colour: 2, shape: 2, position: 2 },
    countRight: true,
  });
});

test('sequences: a caption scores every token after <bos>; VQA scores only the answer and <eos>', () => {
  const c = captionExample(tok, 'a small red circle in the centre');
  assert.equal(c.ids[0], tok.bosId);
  assert.deepEqual(c.targets, [...c.ids.slice(1), tok.eosId]);
  const q = vqaExample(tok, 'where is the red circle?', 'top left');
  const words = q.ids.map((id) => tok.piece(id));
  assert.deepEqual(words, ['<bos>', 'where', 'is', 'the', 'red', 'circle', '?', '<sep>', 'top', 'left']);
  const scored = q.targets.filter((t) => t !== IGNORE).map((id) => tok.piece(id));
  assert.deepEqual(scored, ['top', 'left', '<eos>']);
  assert.equal(q.targets.indexOf(tok.encode('top')[0]), words.indexOf('<sep>'), '<sep> predicts the answer');
  const b = textBatch([c, q], tok.padId);
  assert.deepEqual(b.ids.shape, [2, 10]);
  assert.deepEqual(Array.from(b.ids.data.subarray(c.ids.length, 10)), [tok.padId, tok.padId]);
  assert.deepEqual(Array.from(b.targets.data.subarray(c.ids.length, 10)), [IGNORE, IGNORE]);
});

test('scene batches: mixed rows alternate caption and question; images are (B, 3, H, W)', () => {
  const b = sceneBatch(tok, 'mixed', 'train', [0, 1, 2, 3], new Rng(0), { size: 24 });
  assert.deepEqual(b.images.shape, [4, 3, 24, 24]);
  const T = b.ids.shape[1];
  const row = (r: number) => Array.from(b.ids.data.subarray(r * T, (r + 1) * T));
  for (let r = 0; r < 4; r++) assert.equal(row(r).includes(tok.sepId), r % 2 === 1, `row ${r}`);
  assert.equal(tok.decode(row(0)), sceneExample('train', 0, { size: 24 }).record.caption);
});

test('sequences, describing first: the caption, <sep>, then the answer, all scored; splitAnswer reads them', () => {
  const q = vqaExample(tok, 'is there a red circle?', 'yes', 'a small red circle at the top left');
  const words = [...q.ids, q.targets[q.targets.length - 1]].map((id) => tok.piece(id));
  assert.deepEqual(
    words.join(' '),
    '<bos> is there a red circle ? <sep> a small red circle at the top left <sep> yes <eos>',
  );
  const scored = q.targets.filter((t) => t !== IGNORE).map((id) => tok.piece(id));
  assert.deepEqual(scored.join(' '), 'a small red circle at the top left <sep> yes <eos>');
  // What generate returns after the prompt: the description, <sep>, the answer, <eos>.
  const generated = [
    ...tok.encode('a small red circle at the top left'),
    tok.sepId,
    ...tok.encode('yes'),
    tok.eosId,
  ];
  assert.deepEqual(splitAnswer(tok, generated), {
    answer: 'yes',
    description: 'a small red circle at the top left',
  });
  assert.deepEqual(splitAnswer(tok, [...tok.encode('top left'), tok.eosId]), { answer: 'top left' });
  assert.deepEqual(splitAnswer(tok, []), { answer: '' });
  // sceneBatch's question rows describe first when asked to; its caption rows are unchanged.
  const b = sceneBatch(tok, 'mixed', 'train', [0, 1], new Rng(0), { size: 24 }, true);
  const T = b.ids.shape[1];
  const row1 = Array.from(b.ids.data.subarray(T, 2 * T)).filter((id) => id !== tok.padId);
  const caption = sceneExample('train', 1, { size: 24 }).record.caption;
  const firstSep = row1.indexOf(tok.sepId);
  assert.equal(tok.decode(row1.slice(firstSep + 1, row1.lastIndexOf(tok.sepId))), caption);
});
