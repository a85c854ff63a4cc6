// The worker side of the Train panel's reference lines: two losses no training can be judged
// without. log V is a uniform guess (about where a fresh model starts); the unigram entropy of the
// validation tokens is the best any model that ignores the context can do on them.

import { unigramEntropy } from '../../../src/index.js';
import type { Method } from './methods.js';

export interface Floors {
  /** ln V: the loss of the uniform distribution over the vocabulary. */
  uniform: number;
  /** H of the validation tokens' frequencies (src/eval/unigram-entropy.ts). */
  unigram: number;
}

export const trainMethods: Record<string, Method> = {
  'train.floors': ({ session }): Floors => {
    if (!session) throw new Error('no run yet: reset first');
    const { tokenizer, data } = session.text;
    const V = tokenizer.vocabSize;
    return { uniform: Math.log(V), unigram: unigramEntropy(data.val, V) };
  },
};
