// Batches for classification: each text is tokenized and truncated to the context window (its
// first blockSize tokens, as rasbt's SpamDataset), a batch is right-padded to its longest row
// and remembers every row's real length (the head reads position length - 1). Sampling is
// shuffled epochs, or balanced: every class drawn equally often, whatever its share of the data
// (for skewed sets, where a model could score well by always answering the majority class).

import { Tensor } from '../../tensor/tensor.js';
import { fromArray } from '../../tensor/creation.js';
import { Rng } from '../../tensor/rng.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import type { LabelledExample } from '../../io/labelled-data.js';
import { LlmfsError } from '../../errors.js';

/** One tokenized example: ids (length 1..blockSize) and the class id. */
export interface EncodedExample {
  ids: number[];
  label: number;
}

export interface ClassBatch {
  idx: Tensor; // (B, T) token ids, right-padded
  lengths: number[]; // B real lengths
  labels: number[]; // B class ids
}

/**
 * Tokenizes and truncates `rows`; labels become their index in `labels`. An empty text becomes
 * the single token `padId` (so every sequence has a last token to read).
 */
export function encodeExamples(
  rows: readonly LabelledExample[],
  tok: Tokenizer,
  labels: readonly string[],
  blockSize: number,
  padId: number,
): EncodedExample[] {
  if (rows.length === 0) throw new LlmfsError('classify: empty data set');
  return rows.map((r, i) => {
    const label = labels.indexOf(r.label);
    if (label < 0)
      throw new LlmfsError(
        `classify: row ${i + 1} has unknown label '${r.label}' (labels: ${labels.join(', ')})`,
      );
    const ids = tok.encode(r.text).slice(0, blockSize);
    return { ids: ids.length > 0 ? ids : [padId], label };
  });
}

/** Right-pads examples to the longest one with `padId`: idx (B, T). */
export function collate(examples: readonly EncodedExample[], padId: number): ClassBatch {
  const T = Math.max(...examples.map((e) => e.ids.length));
  const data = new Float32Array(examples.length * T).fill(padId);
  examples.forEach((e, b) => data.set(e.ids, b * T));
  return {
    idx: fromArray(data, [examples.length, T]),
    lengths: examples.map((e) => e.ids.length),
    labels: examples.map((e) => e.label),
  };
}

/** Fixed batches in order (for evaluation). */
export function evalBatches(
  examples: readonly EncodedExample[],
  batchSize: number,
  padId: number,
): ClassBatch[] {
  const out: ClassBatch[] = [];
  for (let i = 0; i < examples.length; i += batchSize)
    out.push(collate(examples.slice(i, i + batchSize), padId));
  return out;
}

/**
 * The batches of one epoch: a shuffle of all examples, or with `balanced` as many draws as there
 * are examples, each picking a class uniformly and then an example of it.
 */
export function epochBatches(
  examples: readonly EncodedExample[],
  batchSize: number,
  padId: number,
  rng: Rng,
  balanced = false,
): ClassBatch[] {
  let order: EncodedExample[];
  if (balanced) {
    const byClass = new Map<number, EncodedExample[]>();
    for (const e of examples) {
      if (!byClass.has(e.label)) byClass.set(e.label, []);
      byClass.get(e.label)!.push(e);
    }
    const classes = [...byClass.values()];
    order = examples.map(() => {
      const c = classes[Math.floor(rng.random() * classes.length)];
      return c[Math.floor(rng.random() * c.length)];
    });
  } else {
    order = [...examples];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const out: ClassBatch[] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(collate(order.slice(i, i + batchSize), padId));
  return out;
}
