// Building blocks for the chapter 2 exercises: a small fixed corpus, chunk lists for the merge
// loop, and the integration verdict "with the learner's function inside, the library's BPE
// tokenizer trained on the corpus gives the same merges and encodes a text to the same ids".

import { trainBpe } from '../../tokenizer/train.js';
import { BpeTokenizer } from '../../tokenizer/bpe.js';
import { utf8Encode } from '../../tokenizer/bytes.js';
import type { Merge } from '../../tokenizer/rules.js';
import { withReferences } from '../registry.js';
import type { StepOutcome } from '../spec.js';

/** The training text: short, repetitive English, so the first merges are common word pieces. */
export const SMALL_CORPUS = [
  'the cat sat on the mat. the dog sat on the log. the cat saw the dog, and the dog saw the cat.',
  'a lower tower is lower than the lowest tower; the newest tower is the widest of the towers.',
  'low, lower, lowest; new, newer, newest; wide, wider, widest. these are the words we merge.',
  'tokens are pieces of text: bytes first, then the pairs that occur most often, merged again ',
  'and again until the vocabulary is as large as we asked. the merges, in order, are the tokenizer.',
].join('\n');

/** Text to encode after training: partly seen words, partly unseen, with a non-ASCII word. */
export const HELD_OUT = 'the widest cat in the lowest tower saw newer dogs; naïve merges are slower.';

/** Chunks as byte values with their counts (the merge loop's input), from words and weights. */
export function chunksOf(words: Record<string, number>): [number[][], number[]] {
  const chunks = Object.keys(words).map((w) => Array.from(utf8Encode(w)));
  return [chunks, Object.values(words)];
}

/** Trains on SMALL_CORPUS with whatever the registry holds; the merges and HELD_OUT's ids. */
export function trainAndEncode(vocabSize = 256 + 60): { merges: readonly Merge[]; ids: number[] } {
  const tok = trainBpe(SMALL_CORPUS, { vocabSize });
  return { merges: tok.merges ?? [], ids: tok.encode(HELD_OUT) };
}

/** A tokenizer trained (with the library's own functions) on SMALL_CORPUS, made once. */
let trained: BpeTokenizer | null = null;
export function smallTokenizer(): BpeTokenizer {
  trained ??= withReferences(() => trainBpe(SMALL_CORPUS, { vocabSize: 256 + 60 }));
  return trained;
}

/** A fresh copy of smallTokenizer() (its own empty chunk cache), so encoding really runs. */
export function freshSmallTokenizer(): BpeTokenizer {
  const t = smallTokenizer();
  return new BpeTokenizer({ vocab: t.vocab, rules: t.rules, merges: t.merges, pretokenizer: t.pretokenizer });
}

const show = (xs: readonly (readonly number[] | number)[]) =>
  xs.map((x) => (typeof x === 'number' ? x : `(${x.join(' ')})`)).join(' ');

/**
 * Runs `session` with the learner's function (installed by the checker) and again with the
 * library's references; the merges (if any) and the ids must be the same.
 */
export function sameEncoding(
  what: string,
  session: () => { merges?: readonly Merge[]; ids: number[] },
): StepOutcome {
  const mine = session();
  const ref = withReferences(session);
  if (ref.merges) {
    const m = mine.merges ?? [];
    const k = ref.merges.findIndex((r, i) => m[i]?.join() !== r.join());
    if (k >= 0 || m.length !== ref.merges.length) {
      const at = k >= 0 ? k : Math.min(m.length, ref.merges.length);
      return {
        passed: false,
        message:
          `${what}: merge ${at} is ${m[at] ? `(${m[at]!.join(', ')})` : 'missing'} with your function, ` +
          `(${ref.merges[at]?.join(', ') ?? 'none'}) with the reference ` +
          `(${m.length} vs ${ref.merges.length} merges)`,
      };
    }
  }
  const i = ref.ids.findIndex((id, j) => mine.ids[j] !== id);
  if (i >= 0 || mine.ids.length !== ref.ids.length) {
    const at = i >= 0 ? i : Math.min(mine.ids.length, ref.ids.length);
    return {
      passed: false,
      message:
        `${what}: the text encodes to [${show(mine.ids.slice(0, at + 3))} ...] with your function, ` +
        `[${show(ref.ids.slice(0, at + 3))} ...] with the reference (first differs at token ${at})`,
    };
  }
  return {
    passed: true,
    message:
      `${what}: ` +
      (ref.merges ? `the same ${ref.merges.length} merges and ` : '') +
      `the same ${ref.ids.length} ids for a ${HELD_OUT.length}-character text`,
  };
}
