// Text sequences for the two tasks, and batches of them. With the word tokenizer:
//   caption  [<bos>, caption..., <eos>]                     every token after <bos> is a target
//   vqa      [<bos>, question..., <sep>, answer..., <eos>]  only the answer and <eos> are targets:
//            the question is context (its targets are IGNORE), as LLaVA masks the instruction.
//   vqa, describing first
//            [<bos>, question..., <sep>, caption..., <sep>, answer..., <eos>]: the model writes what
//            it sees, then answers from its own words (a chain of thought, Wei et al. 2022, as
//            LLaVA-CoT's "describe, then reason"); everything after the first <sep> is a target.
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

/** A question's sequence; with `description` (the scene's caption) the model describes, then answers. */
export function vqaExample(
  tok: WordTokenizer,
  question: string,
  answer: string,
  description?: string,
): TextExample {
  const prompt = promptIds(tok, question);
  const described = description === undefined ? [] : [...tok.encode(description), tok.sepId];
  const seq = [...prompt, ...described, ...tok.encode(answer), tok.eosId];
  // target i predicts seq[i + 1]; it is scored only when seq[i + 1] comes after the <sep>
  const targets = seq.slice(1).map((id, i) => (i + 1 >= prompt.length ? id : IGNORE));
  return { ids: seq.slice(0, -1), targets };
}

/**
 * What the model generated after a question: the answer is the text after its last <sep> (all of it
 * when it wrote none); a model trained to describe first wrote its description before that <sep>.
 */
export function splitAnswer(
  tok: WordTokenizer,
  generated: readonly number[],
): { answer: string; description?: string } {
  const ids = generated[generated.length - 1] === tok.eosId ? generated.slice(0, -1) : generated;
  const sep = ids.lastIndexOf(tok.sepId);
  if (sep < 0) return { answer: tok.decode(ids) };
  return { answer: tok.decode(ids.slice(sep + 1)), description: tok.decode(ids.slice(0, sep)) };
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
