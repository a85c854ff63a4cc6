// Exercise unigram-entropy (chapter 19, section "Train").
// Check it with: llmfs exercise check unigram-entropy

/**
 * The loss floor the lab's Train panel draws: a model that ignores the context can do no better
 * than always predicting the token frequencies f_v = (how often id v occurs) / n, and its
 * cross-entropy is then the entropy of those frequencies,
 *
 *     H = -Σ_v f_v log f_v     (nats: the natural log, like the training loss)
 *
 * where ids that never occur contribute 0 (0 · log 0 = 0). Each id is in [0, V); an empty
 * sequence has H = 0. A validation loss below H means the model has learned from the context.
 */
export function unigramEntropy(ids: ArrayLike<number>, V: number): number {
  // TODO: count each id, turn counts into frequencies, sum -f log f over the ids that occur.
  throw new Error('not implemented yet');
}
