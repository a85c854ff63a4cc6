// Chapter 14 exercises: diagnosing a model (docs/14-diagnosing-a-model.md). Finding the loop a
// generation ends in (its smallest period, where it starts, its whole cycles), and the tokens
// that Hugging Face's no_repeat_ngram_size bans (Paulus et al., 2018, trigram blocking).

import type { ExerciseSpec } from '../spec.js';
import '../../diagnose/repetition.js'; // registers detectLoop
import '../../generate/no-repeat-ngram.js'; // registers bannedNgramTokens
import type { Loop } from '../../diagnose/repetition.js';
import { loopDiagnosisStep, looped, noRepeatStep } from './ch14-helpers.js';

// detect-loop

const detectLoopSpec: ExerciseSpec = {
  id: 'detect-loop',
  chapter: 14,
  section: 'Finding the loop',
  title: 'The loop a generation ends in: its smallest period, where it starts, its whole cycles',
  exportName: 'detectLoop',
  slot: 'detectLoop',
  pureInputs: true,
  topics: ['sampling', 'inference'],
  compare:
    'Hugging Face reports no loops; its `no_repeat_ngram_size` and `repetition_penalty` act blindly. ' +
    'Loop detection on the output is what degeneration studies do by hand (Holtzman et al., 2020; ' +
    'Xu et al., 2022, who measure how the probability of repeating grows with each cycle).',
  hints: [
    'Look at the end of the sequence: for each candidate period p = 1, 2, ..., count how many tokens ' +
      'at the end satisfy x[i] = x[i - p]. The periodic stretch is those tokens plus the p tokens ' +
      'they copy. The first p (the smallest) that gives at least two whole periods and at least ' +
      'minTokens tokens is the loop.',
    'run = number of i, going back from N - 1, with seq[i] === seq[i - p] (stop at the first ' +
      'mismatch or at i = p). span = run + p. A loop needs run >= p (two whole cycles) and span >= ' +
      'minTokens; then start = N - span and cycles = floor(span / p). p only goes up to N / 2.',
    'for (p = 1; 2p <= N; p++) { run = 0; while (run < N - p && seq[N-1-run] === seq[N-1-run-p]) ' +
      'run++; if (run >= p && run + p >= minTokens) return { period: p, start: N - run - p, cycles: ' +
      'Math.floor((run + p) / p) } } return null',
  ],
  cases: () => [
    { name: 'a loop of period 3 after a prefix', args: [looped([9, 8, 7, 6], [1, 2, 3], 5), 8] },
    { name: 'period 5, ending part-way through a cycle', args: [looped([4], [1, 2, 3, 5, 6], 4, 2), 8] },
    { name: 'period 1 (the same token again and again)', args: [looped([1, 2, 3], [7], 12), 8] },
    { name: 'no loop: every token different', args: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 8] },
    { name: 'one cycle and a half is not a loop', args: [looped([0], [1, 2, 3, 4, 5, 6], 1, 3), 4] },
    { name: 'a loop shorter than minTokens', args: [looped([9, 8], [1, 2], 3), 8] },
    { name: 'characters of a string, period 4', args: ['the cat sat on. on. on. on. on.', 8] },
    { name: 'abab...: period 2, not 4', args: [looped([5, 5, 6], [1, 2], 8), 8] },
    { name: 'empty sequence', args: [[], 8] },
  ],
  diagnose(got, want, c) {
    const g = got as Loop | null;
    const w = want as Loop | null;
    const seq = c.args[0] as ArrayLike<unknown>;
    if (w === null && g !== null) {
      if (g.cycles < 2) return 'a loop needs at least two whole cycles (run >= p)';
      if (g.period * g.cycles < (c.args[1] as number)) return 'the loop must span at least minTokens tokens';
      return 'there is no loop here';
    }
    if (w !== null && g === null) return 'there is a loop here: try every period from 1 up to N / 2';
    if (w && g && g.period !== w.period && g.period % w.period === 0)
      return `period ${g.period} is a multiple of the smallest period ${w.period}: try p from 1 upwards`;
    if (w && g && g.period === w.period && g.start === w.start + 1)
      return 'start is one too late: the stretch is the run plus the p tokens it copies (N - run - p)';
    if (w && g && g.period === w.period && g.cycles === Math.ceil((seq.length - w.start) / w.period))
      return 'count whole cycles only: Math.floor(span / p)';
    return null;
  },
  extra: [loopDiagnosisStep()],
};

// no-repeat-ngram

const noRepeatSpec: ExerciseSpec = {
  id: 'no-repeat-ngram',
  chapter: 14,
  section: 'Blocking repeated n-grams',
  title: 'no_repeat_ngram_size: the tokens that would complete an n-gram already in the text',
  exportName: 'bannedNgramTokens',
  slot: 'bannedNgramTokens',
  pureInputs: true,
  topics: ['sampling'],
  compare:
    "Hugging Face's NoRepeatNGramLogitsProcessor builds a dictionary from each (n-1)-gram prefix to the " +
    'tokens that followed it, over the prompt and the output alike, and sets their scores to -inf; ' +
    'fairseq and OpenNMT block repeated n-grams in beam search the same way.',
  hints: [
    'The next token t would complete the n-gram (last n - 1 tokens) + t. It is banned if that n-gram ' +
      'already occurs somewhere in the tokens. So find every earlier place where the last n - 1 ' +
      'tokens occur, and ban the token that followed each.',
    'With L tokens, the prefix is tokens[L-n+1 .. L-1]. For every start s with s + n <= L, if ' +
      'tokens[s .. s+n-2] equals the prefix, ban tokens[s+n-1]. With n = 1 the prefix is empty: ' +
      'every token seen is banned. With fewer than n - 1 tokens nothing is banned.',
    'const banned = new Set(); if (L < n - 1) return banned; for (s = 0; s + n <= L; s++) if (every k ' +
      '< n-1: tokens[s+k] === tokens[L-n+1+k]) banned.add(tokens[s+n-1]); return banned',
  ],
  // A set: compared as its sorted ids (a learner's array in any order is accepted too).
  normalize: (out) =>
    out instanceof Set || Array.isArray(out) ? [...(out as Iterable<number>)].sort((a, b) => a - b) : out,
  cases: () => [
    { name: 'trigrams: "1 2" seen twice before', args: [[1, 2, 3, 4, 1, 2, 5, 6, 1, 2], 3] },
    { name: 'bigrams', args: [[3, 1, 3, 2, 3, 4, 3], 2] },
    { name: 'n = 1: every token seen is banned', args: [[4, 4, 7, 2], 1] },
    { name: 'fewer than n - 1 tokens: nothing banned', args: [[1, 2], 4] },
    { name: 'the prefix never occurred before', args: [[1, 2, 3, 4, 5, 6], 3] },
    { name: 'overlapping occurrences (1 1 1 1)', args: [[1, 1, 1, 1], 3] },
    { name: '4-grams in a longer text', args: [[...[5, 6, 7, 8, 9], ...[5, 6, 7, 1], ...[5, 6, 7]], 4] },
  ],
  diagnose(got, want, c) {
    const [tokens, n] = c.args as [number[], number];
    const g = got instanceof Set ? [...(got as Set<number>)].sort((a, b) => a - b) : got;
    if (!Array.isArray(g)) return 'return a Set of token ids';
    const w = want as number[];
    if (n > 1 && tokens.length >= n - 1 && g.length === 0 && w.length > 0)
      return 'nothing banned: compare each earlier (n-1)-gram with the last n - 1 tokens';
    if (g.some((t) => !w.includes(t as number)))
      return 'a banned token would not complete a repeated n-gram: the prefix is the last n - 1 tokens';
    return null;
  },
  extra: [noRepeatStep()],
};

export const chapter14: ExerciseSpec[] = [detectLoopSpec, noRepeatSpec];
