// Beam search (as in Sutskever et al., 2014; Wu et al., 2016): keep the `beams` most probable
// partial outputs; at each step extend every one by its most likely next tokens, keep the best
// `beams` extensions, and set aside those that end with end-of-text. Scores use GNMT's length
// penalty (length-penalty.ts). The beams are rows of one batch, so the KV cache is reordered.

import type { GPT } from '../model/gpt.js';
import { type CausalLm, asLm } from './lm.js';
import { Stepper, type StepperOptions } from './stepper.js';
import { logSoftmax, topIds } from './probs.js';
import { lengthNormalisedScore } from './length-penalty.js';
import { LlmfsError } from '../errors.js';

export interface BeamSearchOptions extends StepperOptions {
  /** Beam width (default 4); 1 is greedy decoding. */
  beams?: number;
  /** Most tokens to generate (default 32). */
  maxNewTokens?: number;
  /** GNMT's α (default 0.6, as in the paper; 0 = rank by total log-probability). */
  lengthPenalty?: number;
  /**
   * true (default): stop as soon as `beams` hypotheses have ended. false: go on while a live
   * beam could still beat the worst kept hypothesis (using the best length penalty it can reach).
   */
  earlyStopping?: boolean;
  /** How many hypotheses to return, best first (default: beams). */
  nBest?: number;
  eosId?: number | readonly number[];
}

export interface Hypothesis {
  /** Generated ids (prompt and end-of-text excluded). */
  ids: number[];
  /** Total log-probability, including the end-of-text token when it ended. */
  logprob: number;
  /** logprob / lp(length), the ranking score. */
  score: number;
  /** True when it ended with end-of-text, false when cut by maxNewTokens. */
  finished: boolean;
}

interface Live { ids: number[]; logprob: number }

export function beamSearch(model: GPT | CausalLm, prompt: readonly number[], o: BeamSearchOptions = {}): Hypothesis[] {
  const lm = asLm(model);
  const beams = o.beams ?? 4;
  const maxNewTokens = o.maxNewTokens ?? 32;
  const alpha = o.lengthPenalty ?? 0.6;
  const early = o.earlyStopping ?? true;
  const nBest = o.nBest ?? beams;
  if (prompt.length === 0) throw new LlmfsError('beam search: the prompt is empty; give at least one token');
  if (!Number.isInteger(beams) || beams < 1) throw new LlmfsError(`beam search: beams must be a positive integer, got ${beams}`);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new LlmfsError(`beam search: maxNewTokens must be a positive integer, got ${maxNewTokens}`);
  if (!Number.isInteger(nBest) || nBest < 1 || nBest > beams) throw new LlmfsError(`beam search: nBest must be in [1, ${beams}], got ${nBest}`);
  if (!Number.isFinite(alpha)) throw new LlmfsError(`beam search: lengthPenalty must be a finite number, got ${alpha}`);
  if (o.overflow !== 'slide' && prompt.length + maxNewTokens - 1 > lm.contextSize) {
    throw new LlmfsError(`beam search: a prompt of ${prompt.length} tokens plus ${maxNewTokens} new tokens exceeds the context window of ${lm.contextSize}; use fewer tokens or the 'slide' overflow policy`);
  }
  const eos = new Set(o.eosId === undefined ? [] : typeof o.eosId === 'number' ? [o.eosId] : o.eosId);
  const score = (h: { logprob: number }, length: number) => lengthNormalisedScore(h.logprob, length, alpha);

  const stepper = new Stepper(lm, o);
  let logits = stepper.start([prompt]);
  let live: Live[] = [{ ids: [], logprob: 0 }];
  const finished: Hypothesis[] = [];
  let done = false;
  for (let step = 0; step < maxNewTokens; step++) {
    // Every live beam proposes its 2·beams best tokens: enough that `beams` survive even if
    // up to `beams` of them are end-of-text.
    const candidates: { row: number; id: number; logprob: number }[] = [];
    logits.forEach((row, r) => {
      const lp = logSoftmax(row);
      for (const id of topIds(lp, 2 * beams)) candidates.push({ row: r, id, logprob: live[r].logprob + lp[id] });
    });
    candidates.sort((a, b) => b.logprob - a.logprob);
    const next: typeof candidates = [];
    for (let rank = 0; rank < candidates.length && next.length < beams; rank++) {
      const c = candidates[rank];
      if (!eos.has(c.id)) next.push(c);
      else if (rank < beams) {
        const h = { ids: [...live[c.row].ids], logprob: c.logprob };
        finished.push({ ...h, score: score(h, h.ids.length + 1), finished: true });
      }
    }
    finished.sort((a, b) => b.score - a.score);
    if (early && finished.length >= beams) done = true;
    if (!early && finished.length >= nBest && next.length > 0) {
      // With α >= 0, a live beam's score can at best reach logprob / lp(maxNewTokens).
      const best = Math.max(...next.map((c) => score(c, alpha >= 0 ? maxNewTokens : step + 1)));
      if (best <= finished[nBest - 1].score) done = true;
    }
    if (next.length === 0) done = true;
    live = next.map((c) => ({ ids: [...live[c.row].ids, c.id], logprob: c.logprob }));
    if (done || step + 1 === maxNewTokens) break;
    stepper.select(next.map((c) => c.row));
    logits = stepper.append(next.map((c) => c.id));
  }
  const pool = done ? finished : [...finished, ...live.map((h) => ({ ...h, score: score(h, h.ids.length), finished: false }))];
  pool.sort((a, b) => b.score - a.score);
  return pool.slice(0, nBest);
}
