// Chapter 2, example 1: the character tokenizer. The vocabulary is every character of a corpus;
// an unseen character is an error or <unk>, as we choose.   npx tsx docs/examples/02-char.ts

import { CharTokenizer } from '../../src/tokenizer/index.js';
import { LlmfsError } from '../../src/errors.js';

const corpus = 'to be or not to be';
const tok = CharTokenizer.fromCorpus(corpus);
console.log('vocabulary:', JSON.stringify(tok.chars.join('')), `(${tok.vocabSize} tokens)`);
const ids = tok.encode('one bent root');
console.log('encode("one bent root") =', ids.join(' '));
console.log('decode back           =', JSON.stringify(tok.decode(ids)));

try {
  tok.encode('to be, or');
} catch (err) {
  console.log('error policy:', (err as LlmfsError).message);
}
const lenient = CharTokenizer.fromCorpus(corpus, 'unk');
const withUnk = lenient.encode('to be, or');
console.log('unk policy:  ', withUnk.join(' '), '->', withUnk.map((id) => lenient.piece(id)).join('|'));
