// What every tokenizer offers: text -> token ids -> text, plus a readable piece per id.
// The character tokenizer and byte-level BPE both implement it, so the model never cares which.

export interface EncodeOptions {
  /**
   * Special tokens recognised in the text ('all' or a list). Any other occurrence of a special
   * token's text is encoded as ordinary text, so user input cannot forge <|endoftext|>.
   */
  allowedSpecial?: 'all' | readonly string[];
  /**
   * Hugging Face tokenizer.json only (others ignore it): put the post-processor's tokens around
   * the ids, e.g. Llama 3's <|begin_of_text|>. Default true, as HF's encode; a chat template
   * already writes them, so pass false there.
   */
  addSpecialTokens?: boolean;
}

export interface Tokenizer {
  readonly kind: 'char' | 'bpe';
  /** One more than the largest id; the model's vocabulary size V. */
  readonly vocabSize: number;
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[]): string;
  /** The text a single id stands for, made readable (for teaching and the CLI). */
  piece(id: number): string;
}
