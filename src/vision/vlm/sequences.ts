// Text sequences for the two tasks, and batches of them. With the word tokenizer:
//   caption  [<bos>, caption..., <eos>]                     every token after <bos> is a target
//   vqa      [<bos>, question..., <sep>, answer..., <eos>]  only the answer and <eos> are targets:
//            the question is context (its targets are IGNORE), as LLaVA masks the instruction.
// Inputs are the sequence without its last token, targets the sequence shifted left by one.
// Rows of a batch are right-padded (<pad> in, IGNORE out); causal attention never sees the pads.

import { Tensor } from '../../tensor/tensor.js';
import type { WordTokenizer } from '../text/word-tokenizer.js';
import { IGNORE } from './types.js';

/** 'mixed': every other row of a batch a caption, the rest a question (multi-task training). */
export type VlmTask = 'caption' | 'vqa' | 'mixed';

export interface TextExample {
  /** Input ids (T). */
  ids: number[];
  /** Target ids (T): ids shifted left by one, IGNORE where not scored. */
  targets: number[];
}

/** The prompt generation starts from: [<bos>] for a caption, [<bos>, question..., <sep>] for VQA. */
export function promptIds(tok: WordTokenizer, question?: string): number[] {
  return question === undefined ? [tok.bosId] : [tok.bosId, ...tok.encode(question), tok.sepId];
}

export function captionExample(tok: WordTokenizer, caption: string): TextExample {
  const seq = [tok.bosId, ...tok.encode(caption), tok.eosId];
  return { ids: seq.slice(0, -1), targets: seq.slice(1) };
}

export function vqaExample(tok: WordTokenizer, question: string, answer: string): TextExample {
  const prompt = promptIds(tok, question);
  const seq = [...prompt, ...tok.encode(answer), tok.eosId];
  // target i predicts seq[i + 1]; it is scored only when seq[i + 1] comes after the <sep>
  const targets = seq.slice(1).map((id, i) => (i + 1 >= prompt.length ? id : IGNORE));
  return { ids: seq.slice(0, -1), targets };
}

/** Right-padded (B, T) ids and targets, T the longest row. */
export function textBatch(examples: readonly TextExample[], padId: number): { ids: Tensor; targets: Tensor } {
  const T = Math.max(...examples.map((e) => e.ids.length));
  const B = examples.length;
  const ids = new Float32Array(B * T).fill(padId);
  const targets = new Float32Array(B * T).fill(IGNORE);
  examples.forEach((e, b) => {
    ids.set(e.ids, b * T);
    targets.set(e.targets, b * T);
  });
  return { ids: new Tensor(ids, [B, T]), targets: new Tensor(targets, [B, T]) };
}
