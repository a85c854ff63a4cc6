// Chapter 8, example 3: beam search looks for the most probable whole continuation, not the most
// probable next character. Here a sentence ends at ".", the end-of-text id for this search; the
// length penalty decides between short and long sentences.   npx tsx docs/examples/08-beam-search.ts

import { beamSearch } from '../../src/generate/index.js';
import { trainTinyModel } from './08-tiny-model.js';

const { model, tok } = trainTinyModel();
const prompt = tok.encode('the ');
const eosId = tok.encode('.')[0];
const [greedy] = beamSearch(model, prompt, { beams: 1, maxNewTokens: 20, eosId }); // one beam = greedy
console.log(`greedy (1 beam): log P ${greedy.logprob.toFixed(2)}  ${JSON.stringify('the ' + tok.decode(greedy.ids) + '.')}`);
for (const alpha of [0, 1]) {
  console.log(`beam search, 4 beams, length penalty alpha = ${alpha}:`);
  for (const h of beamSearch(model, prompt, { beams: 4, maxNewTokens: 20, eosId, lengthPenalty: alpha })) {
    console.log(`  score ${h.score.toFixed(2).padStart(6)}  log P ${h.logprob.toFixed(2).padStart(6)}  ${JSON.stringify('the ' + tok.decode(h.ids) + '.')}`);
  }
}
