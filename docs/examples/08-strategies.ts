// Chapter 8, example 1: one tiny trained model, decoded six ways. Greedy always takes the most
// likely character; sampling draws one, shaped by temperature, top-k, top-p, min-p and the
// repetition penalty; a seed makes a sample reproducible.   npx tsx docs/examples/08-strategies.ts

import { generate, type GenerateOptions } from '../../src/generate/index.js';
import { trainTinyModel } from './08-tiny-model.js';

const { model, tok, loss } = trainTinyModel();
console.log(`trained ${model.numParameters()} parameters, final loss ${loss.toFixed(3)}`);
const prompt = tok.encode('the ');
const decode = (ids: readonly number[]) => tok.decode(ids);
const show = (label: string, o: GenerateOptions) => {
  const r = generate(model, prompt, { maxNewTokens: 60, overflow: 'slide', decode, ...o });
  console.log(`${label.padEnd(28)} ${JSON.stringify('the ' + r.text)}`);
};
show('greedy', {});
show('sample T=1.0 seed 1', { strategy: 'sample', seed: 1 });
show('sample T=1.0 seed 1 (again)', { strategy: 'sample', seed: 1 });
show('sample T=1.5 seed 1', { strategy: 'sample', temperature: 1.5, seed: 1 });
show('top-k 3, T=1.0 seed 1', { strategy: 'sample', topK: 3, seed: 1 });
show('top-p 0.9, T=1.0 seed 1', { strategy: 'sample', topP: 0.9, seed: 1 });
show('min-p 0.1, T=1.5 seed 1', { strategy: 'sample', minP: 0.1, temperature: 1.5, seed: 1 });
show('greedy, repetition 1.3', { repetitionPenalty: 1.3 });
show('greedy, stop at "."', { stop: ['.'] });

console.log('\nper-token diagnosis of the greedy run (as llmfs generate --show-probs):');
const r = generate(model, prompt, { maxNewTokens: 12, topAlternatives: 3 });
for (const t of r.tokens) {
  const alts = t.alternatives
    .map((a) => `${JSON.stringify(tok.piece(a.id))} ${a.prob.toFixed(2)}`)
    .join(', ');
  console.log(
    `  ${JSON.stringify(tok.piece(t.id)).padEnd(5)} p=${t.prob.toFixed(2)}  H=${t.entropy.toFixed(2)}  ${alts}`,
  );
}
