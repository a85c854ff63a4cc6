// Measurement run (not a test) for chapter 17's "Caption first, then answer": continues a
// vision-language checkpoint on 'vqa' or 'mixed' (optionally describing first) and scores captions
// and questions on the test and unseen splits. The same steps as `llmfs vision train --init`.
//   npx tsx scripts/vlm-curriculum.ts runs/vlm-cross vqa 2400 1e-3 200 [--describe-first]

import { useBackendFromEnv } from '../src/kernels/threads/select.js';
import { loadVlm } from '../src/io/vlm-checkpoint.js';
import { evaluateCaptions, evaluateVqa, trainVlm, type VlmTask } from '../src/vision/vlm/index.js';

await useBackendFromEnv(process.env);
const [dir, task, steps, lr, count] = process.argv.slice(2);
const describeFirst = process.argv.includes('--describe-first');
const { model, tokenizer: tok } = loadVlm(dir);
const r = trainVlm(model, tok, {
  task: task as VlmTask,
  steps: Number(steps),
  lr: Number(lr),
  seed: 1,
  describeFirst,
  onStep: (s, l) => {
    if (s % 100 === 0 || s === 1) console.log(`step ${s} loss ${l.toFixed(4)}`);
  },
});
console.log(JSON.stringify({ trainSeconds: r.seconds }));
for (const split of ['test', 'unseen'] as const) {
  const o = { split, count: Number(count) };
  console.log(
    JSON.stringify({ ev: 'caption', split, ...evaluateCaptions(model, tok, o), samples: undefined }),
  );
  console.log(JSON.stringify({ ev: 'vqa', split, ...evaluateVqa(model, tok, o) }));
}
