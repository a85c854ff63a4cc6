// The architecture variants `llmfs compare` knows by name, each as the `llmfs train` flags that
// make it from the same base model: the readable list of what this chapter compares. A window is
// given relative to the context T, so a variant means the same thing at every size:
//   full            softmax attention over every earlier token (GPT-2)
//   sliding         the last T/4 tokens (Mistral's sliding window, Jiang et al., 2023)
//   sparse-strided  the Sparse Transformer's strided pattern with stride √T (Child et al., 2019)
//   sparse-fixed    its fixed pattern with blocks of T/4
//   linear          linear attention, φ = elu + 1 (Katharopoulos et al., 2020)
//   alibi           no position embeddings; ALiBi biases (Press et al., 2022)
//   rope            rotary positions (Su et al., 2021)
//   qk-norm         RMSNorm on queries and keys (Dehghani et al., 2023)
//   moe             a mixture of 4 expert MLPs, top-2 routing (Shazeer et al., 2017; Fedus et al., 2022)
// An experiment file can define its own variants as flag lists (compare.ts).

import { LlmfsError } from '../errors.js';

/** Model-config fields a variant sets (GPTConfig's names: attention, window, positions, ...). */
export type VariantConfig = Record<string, string | number | boolean>;

export interface Variant {
  name: string;
  /** What it changes, in a few words. */
  what: string;
  /** The config fields that make it, for a context of T tokens (flags: `llmfs train --field`). */
  config(T: number): VariantConfig;
}

const quarter = (T: number) => Math.max(1, Math.floor(T / 4));

export const VARIANTS: readonly Variant[] = [
  { name: 'full', what: 'softmax attention over every earlier token', config: () => ({}) },
  {
    name: 'sliding',
    what: 'the last T/4 tokens only',
    config: (T) => ({ attention: 'sliding', window: quarter(T) }),
  },
  {
    name: 'sparse-strided',
    what: 'strided pattern, stride √T',
    config: (T) => ({ attention: 'sparse-strided', window: Math.max(1, Math.round(Math.sqrt(T))) }),
  },
  {
    name: 'sparse-fixed',
    what: 'fixed pattern, blocks of T/4',
    config: (T) => ({ attention: 'sparse-fixed', window: quarter(T) }),
  },
  { name: 'linear', what: 'linear attention, φ = elu + 1', config: () => ({ attention: 'linear' }) },
  {
    name: 'alibi',
    what: 'ALiBi biases instead of learned positions',
    config: () => ({ positions: 'alibi' }),
  },
  { name: 'rope', what: 'rotary positions instead of learned ones', config: () => ({ positions: 'rope' }) },
  { name: 'qk-norm', what: 'RMSNorm on queries and keys', config: () => ({ qkNorm: true }) },
  { name: 'moe', what: '4 expert MLPs, top-2 routing', config: () => ({ moeExperts: 4, moeTopK: 2 }) },
];

/** The named variants, in the order given; one clear line for an unknown or repeated name. */
export function variantsByName(names: readonly string[]): Variant[] {
  const seen = new Set<string>();
  return names.map((n) => {
    const v = VARIANTS.find((x) => x.name === n);
    if (!v)
      throw new LlmfsError(
        `compare: unknown variant '${n}' (known: ${VARIANTS.map((x) => x.name).join(', ')})`,
      );
    if (seen.has(n)) throw new LlmfsError(`compare: variant '${n}' is listed twice`);
    seen.add(n);
    return v;
  });
}
