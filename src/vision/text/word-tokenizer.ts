// A word-level tokenizer for the scene world's closed vocabulary: one id per word of the captions,
// questions and answers (the generator's CAPTION_WORDS, QUESTION_WORDS, ANSWERS), plus four
// specials. Word-level because the language is tiny and closed: a caption is ~6 tokens per object
// instead of ~30 characters, and every token is a word a learner can read. "?" is its own token.
//   <pad> 0   fills short rows of a batch (never a target)
//   <bos> 1   starts every sequence
//   <eos> 2   ends a caption or an answer
//   <sep> 3   between a question and its answer (VQA)

import { LlmfsError } from '../../errors.js';
import { CAPTION_WORDS } from '../scenes/caption.js';
import { ANSWERS, QUESTION_WORDS } from '../scenes/questions.js';

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const SEP = '<sep>';
export const SPECIALS = [PAD, BOS, EOS, SEP] as const;

/** Every word of the scene language, sorted: captions, questions, answers ("top left" is two). */
export const SCENE_WORDS: readonly string[] = [
  ...new Set([...CAPTION_WORDS, ...QUESTION_WORDS, ...ANSWERS.flatMap((a) => a.split(' '))]),
].sort();

export class WordTokenizer {
  readonly kind = 'word';
  /** words[id] is the text of token id; the specials come first. */
  readonly words: readonly string[];
  readonly vocabSize: number;
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly sepId = 3;
  private readonly ids = new Map<string, number>();

  /** `words`: the ordinary words (the specials are put before them). Default: the scene language. */
  constructor(words: readonly string[] = SCENE_WORDS) {
    this.words = [...SPECIALS, ...words];
    this.words.forEach((w, id) => {
      if (this.ids.has(w)) throw new LlmfsError(`word tokenizer: '${w}' appears twice`);
      this.ids.set(w, id);
    });
    this.vocabSize = this.words.length;
  }

  /** Text -> ids: words split at spaces, "?" split off as its own token; specials by their text. */
  encode(text: string): number[] {
    const pieces = text
      .replace(/\?/g, ' ? ')
      .split(/\s+/)
      .filter((w) => w.length > 0);
    return pieces.map((w) => {
      const id = this.ids.get(w);
      if (id === undefined)
        throw new LlmfsError(
          `word tokenizer: '${w}' is not a word of the scene vocabulary (${this.words.length} words); ` +
            `use only the words of the captions and questions`,
        );
      return id;
    });
  }

  /** Ids -> text: words joined by spaces, "?" attached to the word before it; specials skipped. */
  decode(ids: readonly number[]): string {
    const words = ids.filter((id) => id >= SPECIALS.length).map((id) => this.piece(id));
    return words.join(' ').replace(/ \?/g, '?');
  }

  piece(id: number): string {
    const w = this.words[id];
    if (w === undefined)
      throw new LlmfsError(`word tokenizer: id ${id} is outside the vocabulary of ${this.vocabSize}`);
    return w;
  }
}
