// Logits processors: small functions that reshape the next-token scores before a token is chosen
// (Hugging Face's LogitsProcessor idea). Each edits one row of V logits in place; a removed token
// gets -Infinity, so its probability after softmax is exactly 0. They compose in a list.

/** What a processor may look at besides the logits. */
export interface ProcessorContext {
  /** Every token so far: the prompt, then the generated ones. */
  readonly tokens: readonly number[];
  /** Only the generated tokens. */
  readonly generated: readonly number[];
}

/** Edits `logits` (length V) in place. */
export type LogitsProcessor = (logits: Float64Array, ctx: ProcessorContext) => void;

/** Runs the processors in order on one row of logits. */
export function applyProcessors(
  processors: readonly LogitsProcessor[],
  logits: Float64Array,
  ctx: ProcessorContext,
): Float64Array {
  for (const p of processors) p(logits, ctx);
  return logits;
}
