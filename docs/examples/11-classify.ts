// Chapter 11, example: classification fine-tuning. A classification head Linear(C -> 2) on the
// last real token of a GPT (the tiny GPT-2 fixture here, so it runs in seconds), trained on 400
// messages of the bundled SpamAssassin subset, then scored on 200 held-out test messages with
// accuracy, per-class precision / recall and the confusion matrix.   npx tsx docs/examples/11-classify.ts

import { join } from 'node:path';
import { manualSeed } from '../../src/tensor/rng.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { readLabelledSplits } from '../../src/io/labelled-data.js';
import { GPTClassifier } from '../../src/train/classify/head.js';
import { encodeExamples } from '../../src/train/classify/batches.js';
import { setTrainable } from '../../src/train/classify/trainable.js';
import { trainClassifier, evaluate } from '../../src/train/classify/loop.js';
import { formatMetrics } from '../../src/train/classify/metrics.js';

const root = join(import.meta.dirname, '..', '..');
manualSeed(0);
const { model, tokenizer } = loadPretrained(join(root, 'test', 'fixtures', 'hf-gpt2', 'tiny'));
const data = readLabelledSplits(join(root, 'data', 'spam'), { labels: ['ham', 'spam'] });
const clf = new GPTClassifier(model, ['ham', 'spam']);
const { trainable, total } = await setTrainable(clf, { mode: 'all' });
console.log(`trainable parameters: ${trainable} of ${total}`);

// Texts cut to 32 tokens; right padding with id 0 is never read (the head takes position len - 1).
const enc = (rows: typeof data.train) => encodeExamples(rows, tokenizer!, clf.labels, 32, 0);
const train = enc(data.train.slice(0, 400));
const test = enc(data.test!.slice(0, 200));
const first = train[0];
console.log(`first example: ${first.ids.length} tokens, label ${clf.labels[first.label]}`);

const r = trainClassifier(clf, { train }, { epochs: 2, batchSize: 16, lr: 1e-3, seed: 1 });
for (const e of r.epochs) console.log(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(3)}`);
console.log(formatMetrics(evaluate(clf, test, 16, 0), 'test'));
