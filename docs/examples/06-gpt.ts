// Chapter 6's runnable example: a GPT and an encoder-decoder, their shapes and parameter
// counts, and the loss of an untrained model (close to ln V: a uniform guess).
//   npx tsx docs/examples/06-gpt.ts

import { GPT, EncoderDecoder, gptPreset, manualSeed, randint, Rng, tensor } from '../../src/index.js';

manualSeed(0);
const gpt = new GPT(gptPreset('tiny', { vocabSize: 65 }));
const idx = randint(0, 65, [2, 32], { rng: new Rng(1) }); // (B=2, T=32) token ids
const targets = randint(0, 65, [2, 32], { rng: new Rng(2) });
const { logits, loss } = gpt.forward(idx, { targets });
console.log('tiny GPT:', gpt.numParameters(), 'parameters; logits shape', logits.shape);
console.log(`untrained loss ${loss!.item().toFixed(4)} vs ln(65) = ${Math.log(65).toFixed(4)}`);
console.log(
  'first parameter names:',
  gpt
    .namedParameters()
    .slice(0, 6)
    .map(([n]) => n)
    .join(', '),
);

const ed = new EncoderDecoder({
  srcVocabSize: 13,
  tgtVocabSize: 13,
  dModel: 32,
  nHead: 2,
  nEncoderLayer: 2,
  nDecoderLayer: 2,
  padId: 0,
});
const src = tensor([
  [3, 4, 5, 2, 0],
  [6, 7, 2, 0, 0],
]); // two padded source sentences (0 = padding)
const tgtIn = tensor([
  [1, 5, 4, 3],
  [1, 7, 6, 0],
]);
const enc = ed.encode(src);
console.log(
  'encoder-decoder:',
  ed.numParameters(),
  'parameters; memory',
  enc.memory.shape,
  'logits',
  ed.decode(tgtIn, enc).shape,
);
