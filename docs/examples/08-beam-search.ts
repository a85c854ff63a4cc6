// Chapter 8, example 3: beam search looks for the most probable whole continuation, not the most
// probable next character. Here a sentence ends at ".", the end-of-text id for this search; the
// length penalty decides between short and long sentences.   npx tsx docs/examples/08-beam-search.ts

import { beamSearch, type BeamSearchOptions } from '../../src/generate/index.js';
import { trainTinyModel } from './08-tiny-model.js';

const { model, tok } = trainTinyModel();
const prompt = tok.encode('the ');
const eosId = tok.encode('.')[0];
const show = (text: string) => JSON.stringify('the ' + text + '.');
const [greedy] = beamSearch(model, prompt, { beams: 1, maxNewTokens: 20, eosId }); // one beam = greedy
console.log(`greedy (1 beam): log P ${greedy.logprob.toFixed(2)}  ${show(tok.decode(greedy.ids))}`);
const runs: [string, BeamSearchOptions][] = [
  ['length penalty 0 (rank by log P)', { lengthPenalty: 0 }],
  ["Hugging Face's length penalty 1 (log P / length, the default)", {}],
  ["GNMT's length penalty 1 (log P / ((5 + length) / 6))", { lengthPenaltyFormula: 'gnmt' }],
];
for (const [name, o] of runs) {
  console.log(`beam search, 4 beams, ${name}:`);
  const hyps = beamSearch(model, prompt, { beams: 4, maxNewTokens: 20, eosId, numReturnSequences: 4, ...o });
  for (const h of hyps) {
    const text = show(tok.decode(h.ids));
    const [score, logP] = [h.score, h.logprob].map((x) => x.toFixed(2).padStart(6));
    console.log(`  score ${score}  log P ${logP}  ${text}`);
  }
}
for (const earlyStopping of [true, false, 'never'] as const) {
  const [best] = beamSearch(model, prompt, { beams: 4, maxNewTokens: 20, eosId, earlyStopping });
  const text = show(tok.decode(best.ids));
  const name = String(earlyStopping).padEnd(5);
  console.log(`earlyStopping ${name}: best ${text} score ${best.score.toFixed(2)}`);
}
