// The inspect report of the hand-built induction circuit: the findings name the heads the circuit
// was built with (0.0 previous-token, 1.0 induction) and their scores, the pictures follow the
// selection, and the logit-lens table's last row is the model's own greedy prediction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectModel } from '../../src/diagnose/inspect.js';
import { inspectReport } from '../../src/diagnose/inspect-report.js';
import { renderReport } from '../../src/report/html.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { idTensor } from '../../src/diagnose/logit-lens.js';
import { inductionCircuit } from '../../src/exercises/catalog/ch14-circuit.js';

const IDS = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
const label = (id: number) => `t${id}`;

test('findings name the circuit heads; one heatmap per selected head; lens table ends in the argmax', () => {
  const model = inductionCircuit();
  const d = inspectModel(model, IDS, label, { seqLen: 10 });
  const r = inspectReport(d);
  assert.ok(
    r.findings!.includes('previous-token heads (layer.head, score): 0.0 1.000'),
    r.findings!.join('|'),
  );
  assert.ok(r.findings!.includes('induction heads (layer.head, score): 1.0 0.950'));
  assert.ok(r.findings!.some((f) => f.startsWith('highest induction score: head 1.0, 0.950 (uniform')));
  const html = renderReport(r);
  assert.equal(html.split('class="heatmap"').length - 1, 4 + 7);
  assert.ok(html.includes('layer 1, head 0: induction score 0.950'));
  const picked = renderReport(inspectReport(d, { layer: 0, head: 1 }));
  assert.equal(picked.split('class="heatmap"').length - 1, 1 + 7);
  // The lens table: one row per residual, its last row the model's own top-1 at each position.
  const lens = r.sections[3].items.find((it) => it.kind === 'table');
  assert.ok(lens && lens.kind === 'table');
  assert.deepEqual(
    lens.rows.map((row) => row[0]),
    ['embeddings', 'block 0', 'block 1'],
  );
  const logits = noGrad(() => model.forward(idTensor(IDS)).logits);
  const V = model.config.vocabSize;
  IDS.forEach((_, t) => {
    const row = Array.from(logits.data.subarray(t * V, (t + 1) * V));
    const argmax = row.indexOf(Math.max(...row));
    assert.ok(String(lens.rows[2][t + 1]).startsWith(JSON.stringify(label(argmax))));
  });
});
