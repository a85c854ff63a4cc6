// Chapter 11, instruction tuning: the Alpaca prompt, which targets the loss keeps (the answer
// and its end-of-text, never the prompt or the padding), and exact-match scores per task.
//   npm run pretrain-base          (once: out/base/best, a small BPE model)
//   npx llmfs finetune instruct --model out/base/best --data data/instructions/train.json \
//     --out out/instruct            (optional: then this example scores the tuned model too)
//   npx tsx docs/examples/11-instruct.ts

import { existsSync } from 'node:fs';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { readInstructions } from '../../src/data/instructions.js';
import { ALPACA, formatPrompt } from '../../src/train/instruct/template.js';
import { encodeExample, instructBatch } from '../../src/train/instruct/batches.js';
import { scoreExactMatch } from '../../src/train/instruct/score.js';
import { eosIdOf } from '../../src/cli/instruct-prompt.js';

const heldOut = readInstructions('data/instructions/heldout.json');
const ex = heldOut[0];
console.log(`--- the Alpaca prompt for ${JSON.stringify(ex)}:\n${formatPrompt(ALPACA, ex)}${ex.output}\n---`);

if (!existsSync('out/base/best/config.json')) {
  console.log("no base model yet: run 'npm run pretrain-base' first, then this example again");
  process.exit(0);
}
const base = loadPretrained('out/base/best');
const tok = base.tokenizer!;
const eos = eosIdOf(tok, base.eosTokenId, 'example');
const enc = encodeExample(tok, ALPACA, ex, eos, base.model.config.blockSize + 1);
const b = instructBatch([enc], eos);
// The last few target positions: which token each predicts and whether the loss counts it.
const T = b.y.shape[1];
const rows = [];
for (let t = T - 8; t < T; t++)
  rows.push(`${JSON.stringify(tok.decode([b.y.data[t]]))}:${b.mask!.data[t] ? 'kept' : 'masked'}`);
console.log(
  `${enc.promptLen} prompt tokens, ${enc.ids.length - enc.promptLen} answer tokens (with end-of-text)`,
);
console.log(`last targets: ${rows.join('  ')}`);

// Ten held-out examples per task (the full split is scored by 'finetune instruct --score').
const subset = [...new Set(heldOut.map((e) => e.task))].flatMap((t) =>
  heldOut.filter((e) => e.task === t).slice(0, 10),
);
for (const [name, dir] of [
  ['base', 'out/base/best'],
  ['tuned', 'out/instruct'],
] as const) {
  if (!existsSync(`${dir}/config.json`)) continue;
  const { model } = loadPretrained(dir);
  const r = scoreExactMatch(model, tok, ALPACA, subset, { eosId: eos, maxNewTokens: 16, samples: 1 });
  const cells = [...r.perTask, r.overall].map((s) => `${s.task} ${s.correct}/${s.total}`).join(', ');
  console.log(`${name} model, exact match: ${cells}`);
  for (const s of r.samples)
    console.log(`  ${s.task}(${JSON.stringify(s.input)}) -> ${JSON.stringify(s.got)}`);
}
