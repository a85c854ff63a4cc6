// Chapter 14, example: every diagnosis on models whose answer is known in advance. A GPT built by
// hand to loop (0 -> 1 -> 2 -> 0 ...), diagnosed and cured; a hand-built two-layer induction
// circuit, inspected (its heads and the logit lens); and a training log with planted spikes.
//   npx tsx docs/examples/14-diagnose.ts

import { detectLoop, distinctN } from '../../src/diagnose/repetition.js';
import { diagnoseGeneration } from '../../src/diagnose/generation.js';
import { inspectModel } from '../../src/diagnose/inspect.js';
import { detectSpikes } from '../../src/diagnose/loss-spikes.js';
import { loopingModel, noisyLoss } from '../../src/exercises/catalog/ch14-helpers.js';
import { inductionCircuit } from '../../src/exercises/catalog/ch14-circuit.js';

// 1. Finding a loop: the smallest period, where it starts, whole cycles.
const text = 'We must act. the United States, and the United States, and the United States, and';
console.log('loop in characters:', JSON.stringify(detectLoop(text)));
console.log('distinct-3 of the characters:', distinctN(text, 3).toFixed(2));

// 2. A GPT that loops by construction, diagnosed: the loop, and the remedies that break it.
const decode = (ids: readonly number[]) => ids.map((i) => 'abcdefgh'[i]).join('');
const d = diagnoseGeneration(loopingModel(3), [0], { maxNewTokens: 24, decode });
console.log(`greedy output: ${d.text}; loop ${JSON.stringify(d.report.loop)}`);
for (const r of d.remedies.slice(0, 3))
  console.log(`  ${r.name.padEnd(24)} ${r.text}  loop: ${r.report.loop ? 'yes' : 'no'}`);
console.log(`recommended: ${d.recommended}`);

// 3. A hand-built induction circuit, inspected: layer 0 head 0 reads the previous token, layer 1
// head 0 attends to the token after the current token's earlier occurrence.
const ins = inspectModel(inductionCircuit(), [3, 1, 4, 1, 5, 9, 2, 6, 5, 3], String, { seqLen: 10 });
for (const h of ins.heads) {
  const s = `previous ${h.previous.toFixed(3)}  induction ${h.induction.toFixed(3)}  entropy ${h.entropy.toFixed(2)}`;
  console.log(`head ${h.layer}.${h.head}: ${s}  -> ${h.class}`);
}
const last = ins.lens.names.length - 1;
console.log(
  `logit lens, last layer: KL to the model's own output ${Math.max(...ins.lens.kl[last]).toFixed(6)}`,
);

// 4. A training log with spikes planted at steps 120, 121 and 250.
const spikes = detectSpikes(noisyLoss(300, [120, 121, 250])).spikes;
console.log(
  'loss spikes at steps',
  spikes.map((s) => `${s.step} (${s.value.toFixed(2)} vs ${s.baseline.toFixed(2)})`).join(', '),
);
