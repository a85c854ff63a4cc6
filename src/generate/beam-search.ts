// Beam search (Sutskever et al., 2014; Wu et al., 2016): keep the `beams` most probable partial
// outputs; at each step extend every one by its most likely next tokens, keep the best `beams`
// extensions, and set aside those that end with end-of-text as finished hypotheses. The beams
// are rows of one batch, so the KV cache is reordered with them.
//
// The options named as Hugging Face names them behave as in transformers' BeamSearchScorer and
// BeamHypotheses (src/transformers/generation/beam_search.py as at commit 4e7bd11, the version
// with `generated_len` and `decoder_prompt_len`): a hypothesis scores
//   sum logprob / len^length_penalty
// where len counts the *generated* tokens (the prompt excluded, end-of-text included); older
// versions divided by the whole sequence length (prompt included, end-of-text not). At most `beams`
// finished hypotheses are kept. After each step the search is done, once `beams` have finished, when
//   earlyStopping true:    always (stop as soon as `beams` hypotheses have finished);
//   earlyStopping false:   the worst kept score >= best candidate logprob / lp(tokens so far)
//                          (HF's heuristic, the default);
//   earlyStopping 'never': the worst kept score >= best candidate logprob / lp(maxNewTokens) when
//                          α > 0, else / lp(tokens so far): no live beam can still do better.
// Then the live beams join the finished ones only if the search ran to maxNewTokens undone.
// (Later transformers versions vectorise this in GenerationMixin._beam_search and bound `false`
// and 'never' with the best live beam instead of the best candidate, so the step at which they
// stop can differ.)
// `lengthPenaltyFormula: 'gnmt'` swaps len^α for GNMT's ((5 + len) / 6)^α (length-penalty.ts).

import type { GPT } from '../model/gpt.js';
import { type CausalLm, asLm } from './lm.js';
import { Stepper, type StepperOptions } from './stepper.js';
import { logSoftmax, topIds } from './probs.js';
import { lengthNormalisedScore, type LengthPenaltyFormula } from './length-penalty.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

/** One extension of a beam: its row, the next token, and the beam's log-probability plus the token's. */
export interface BeamCandidate {
  beam: number;
  token: number;
  logprob: number;
}

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'beam-search-step' (chapter 8): every beam r extended by its `perBeam` most likely
     * next tokens (log-softmax of logits[r], lower id first on ties), scored beamLogprobs[r] +
     * log p(token), all candidates sorted best first (equal scores keep beam, then token, order).
     */
    beamSearchStep(logits: Float32Array[], beamLogprobs: number[], perBeam: number): BeamCandidate[];
  }
}

const beamSearchStep = exercisable(
  'beamSearchStep',
  (logits: Float32Array[], beamLogprobs: number[], perBeam: number): BeamCandidate[] => {
    const candidates: BeamCandidate[] = [];
    logits.forEach((row, r) => {
      const lp = logSoftmax(row);
      for (const id of topIds(lp, perBeam)) {
        candidates.push({ beam: r, token: id, logprob: beamLogprobs[r] + lp[id] });
      }
    });
    candidates.sort((a, b) => b.logprob - a.logprob);
    return candidates;
  },
);

export type EarlyStopping = boolean | 'never';

export interface BeamSearchOptions extends StepperOptions {
  /** Beam width, HF's num_beams (default 4); 1 is greedy decoding. */
  beams?: number;
  /** Most tokens to generate (default 32). */
  maxNewTokens?: number;
  /** HF's length_penalty α: score = logprob / len^α (default 1; 0 ranks by logprob alone). */
  lengthPenalty?: number;
  /** 'hf' (default): len^α; 'gnmt': Wu et al.'s ((5 + len) / 6)^α, with the same α. */
  lengthPenaltyFormula?: LengthPenaltyFormula;
  /** HF's early_stopping: true, false (default) or 'never' (see the file header). */
  earlyStopping?: EarlyStopping;
  /** HF's num_return_sequences: how many hypotheses to return, best first (default 1). */
  numReturnSequences?: number;
  eosId?: number | readonly number[];
}

export interface Hypothesis {
  /** Generated ids (prompt and end-of-text excluded). */
  ids: number[];
  /** Total log-probability, including the end-of-text token when it ended. */
  logprob: number;
  /** logprob / lp(generated length), the ranking score. */
  score: number;
  /** True when it ended with end-of-text, false when cut by maxNewTokens. */
  finished: boolean;
}

interface Live {
  ids: number[];
  logprob: number;
}

function checkOptions(beams: number, maxNewTokens: number, keep: number, o: BeamSearchOptions): void {
  const fail = (msg: string) => {
    throw new LlmfsError(`beam search: ${msg}`);
  };
  if (!Number.isInteger(beams) || beams < 1) fail(`beams must be a positive integer, got ${beams}`);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    fail(`maxNewTokens must be a positive integer, got ${maxNewTokens}`);
  }
  if (!Number.isInteger(keep) || keep < 1 || keep > beams) {
    fail(`numReturnSequences must be in [1, ${beams}] (at most the beam width), got ${keep}`);
  }
  const alpha = o.lengthPenalty ?? 1;
  if (!Number.isFinite(alpha)) fail(`lengthPenalty must be a finite number, got ${alpha}`);
  const formula = o.lengthPenaltyFormula ?? 'hf';
  if (formula !== 'hf' && formula !== 'gnmt') {
    fail(`lengthPenaltyFormula must be 'hf' or 'gnmt', got '${String(formula)}'`);
  }
  const early = o.earlyStopping ?? false;
  if (early !== true && early !== false && early !== 'never') {
    fail(`earlyStopping must be true, false or 'never', got '${String(early)}'`);
  }
}

/** The finished hypotheses: at most `capacity`, the worst dropped first (HF's BeamHypotheses). */
class FinishedList {
  readonly list: Hypothesis[] = [];
  worst = 1e9;
  constructor(readonly capacity: number) {}

  add(h: Hypothesis): void {
    if (this.list.length >= this.capacity && !(h.score > this.worst)) return;
    this.list.push(h);
    if (this.list.length > this.capacity) {
      // Drop the lowest score (the earliest added among equals); the next lowest is the new worst.
      let lowest = 0;
      for (let i = 1; i < this.list.length; i++) if (this.list[i].score < this.list[lowest].score) lowest = i;
      this.list.splice(lowest, 1);
      this.worst = this.list.reduce((m, x) => Math.min(m, x.score), Infinity);
    } else {
      this.worst = Math.min(this.worst, h.score);
    }
  }
}

export function beamSearch(
  model: GPT | CausalLm,
  prompt: readonly number[],
  o: BeamSearchOptions = {},
): Hypothesis[] {
  const lm = asLm(model);
  const beams = o.beams ?? 4;
  const maxNewTokens = o.maxNewTokens ?? 32;
  const alpha = o.lengthPenalty ?? 1;
  const early = o.earlyStopping ?? false;
  const keep = o.numReturnSequences ?? 1;
  if (prompt.length === 0) throw new LlmfsError('beam search: the prompt is empty; give at least one token');
  checkOptions(beams, maxNewTokens, keep, o);
  if (o.overflow !== 'slide' && prompt.length + maxNewTokens - 1 > lm.contextSize) {
    throw new LlmfsError(
      `beam search: a prompt of ${prompt.length} tokens plus ${maxNewTokens} new tokens exceeds the ` +
        `context window of ${lm.contextSize}; use fewer tokens or the 'slide' overflow policy`,
    );
  }
  const eos = new Set(o.eosId === undefined ? [] : typeof o.eosId === 'number' ? [o.eosId] : o.eosId);
  const formula = o.lengthPenaltyFormula ?? 'hf';
  const score = (logprob: number, length: number) => lengthNormalisedScore(logprob, length, alpha, formula);
  const finished = new FinishedList(beams);
  /** HF's is_done: can no live beam, however it continues, beat the worst kept hypothesis? */
  const isDone = (bestLogprob: number, length: number): boolean => {
    if (finished.list.length < beams) return false;
    if (early === true) return true;
    const bound = early === 'never' && alpha > 0 ? maxNewTokens : length;
    return finished.worst >= score(bestLogprob, bound);
  };

  const stepper = new Stepper(lm, o);
  let logits = stepper.start([prompt]);
  let live: Live[] = [{ ids: [], logprob: 0 }];
  let done = false;
  for (let step = 0; step < maxNewTokens; step++) {
    const length = step + 1; // generated tokens once this step's token is appended
    // The 2·beams best (beam, token) extensions: enough that `beams` survive even if up to
    // `beams` of them are end-of-text.
    const candidates = beamSearchStep(
      logits,
      live.map((l) => l.logprob),
      2 * beams,
    );
    const next: BeamCandidate[] = [];
    for (let rank = 0; rank < candidates.length && next.length < beams; rank++) {
      const c = candidates[rank];
      if (!eos.has(c.token)) next.push(c);
      else if (rank < beams) {
        // An end-of-text among the top `beams` finishes a hypothesis (its length counts the eos).
        const ids = [...live[c.beam].ids];
        finished.add({ ids, logprob: c.logprob, score: score(c.logprob, length), finished: true });
      }
    }
    done = isDone(candidates[0].logprob, length) || next.length === 0;
    live = next.map((c) => ({ ids: [...live[c.beam].ids, c.token], logprob: c.logprob }));
    if (done || step + 1 === maxNewTokens) break;
    stepper.select(next.map((c) => c.beam));
    logits = stepper.append(next.map((c) => c.token));
  }
  if (!done) {
    for (const h of live) finished.add({ ...h, score: score(h.logprob, h.ids.length), finished: false });
  }
  // Best first; among equal scores the later added first, as HF's sorted(...).pop() gives them.
  const ranked = [...finished.list].sort((a, b) => a.score - b.score).reverse();
  return ranked.slice(0, keep);
}
