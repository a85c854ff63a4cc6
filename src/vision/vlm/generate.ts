// Decoding text from an image with either vision-language model: the model's lm(image) adapter
// (image encoded once) handed to the project's own greedy loop (generate/generate.ts) or beam
// search (generate/beam-search.ts); no decoding loop is written again here.

import type { Tensor } from '../../tensor/tensor.js';
import { generate } from '../../generate/generate.js';
import { beamSearch } from '../../generate/beam-search.js';
import { LlmfsError } from '../../errors.js';
import type { VisionLanguageModel, VlmGenerateOptions } from './types.js';

/** image (3, H, W), prompt ids (e.g. [<bos>] or [<bos>, question..., <sep>]) -> generated ids. */
export function vlmGenerate(
  model: VisionLanguageModel,
  image: Tensor,
  promptIds: readonly number[],
  o: VlmGenerateOptions = {},
): number[] {
  const lm = model.lm(image);
  const room = lm.contextSize - promptIds.length + 1;
  if (room < 1)
    throw new LlmfsError(
      `vlm: a prompt of ${promptIds.length} tokens leaves no room in the text window of ${lm.contextSize}; ` +
        'shorten the question',
    );
  const maxNewTokens = Math.min(o.maxNewTokens ?? room, room);
  const strategy = o.strategy ?? 'greedy';
  if (strategy === 'greedy')
    return generate(lm, promptIds, { maxNewTokens, eosId: o.eosId, useCache: o.useCache }).ids;
  if (strategy !== 'beam')
    throw new LlmfsError(`vlm: strategy must be 'greedy' or 'beam', got '${String(strategy)}'`);
  const best = beamSearch(lm, promptIds, {
    beams: o.beams ?? 3,
    maxNewTokens,
    eosId: o.eosId,
    useCache: o.useCache,
  });
  return best[0].ids;
}
