// Chapter 19, example: what the lab computes for one link, computed in Node by the same code. The
// setup is parsed from the query string the page would have, the toy text and its char tokenizer
// come from lab/src/corpus.ts, the model and settings from lab/src/session.ts; the page's first
// losses are these, up to float rounding (test/lab/lab.test.ts compares them).
//   npx tsx docs/examples/19-the-page-in-node.ts

import { train, unigramEntropy } from '../../src/index.js';
import { parseSetup, formatSetup } from '../../lab/src/setup.js';
import { prepare } from '../../lab/src/corpus.js';
import { buildModel, corpusText, trainSettings } from '../../lab/src/session.js';

const setup = parseSetup('?corpus=reversal&steps=6&evalEvery=3&seed=7');
console.log(`lab link:  lab/dist/index.html${formatSetup(setup)}`);

const { tokenizer, data } = prepare(corpusText(setup, ''), setup);
const V = tokenizer.vocabSize;
console.log(`text:      ${JSON.stringify(tokenizer.decode(Array.from(data.train.subarray(0, 30))))}`);
console.log(`tokens:    ${data.train.length} train, ${data.val.length} val, V = ${V}`);
console.log(
  `floors:    ln V = ${Math.log(V).toFixed(4)}, unigram entropy = ${unigramEntropy(data.val, V).toFixed(4)}`,
);

const model = buildModel(setup, V);
const losses: string[] = [];
train(model, data, trainSettings(setup), {
  onStep: (s) => losses.push(s.loss.toFixed(3)),
  onEval: (e) => console.log(`step ${e.step}:    val loss ${e.valLoss.toFixed(3)}`),
});
console.log(`losses:    ${losses.join(' ')}`);
