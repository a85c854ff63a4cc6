// Chapter 14 exercises: diagnosing a model (docs/14-diagnosing-a-model.md). Finding the loop a
// generation ends in (its smallest period, where it starts, its whole cycles), and the tokens
// that Hugging Face's no_repeat_ngram_size bans (Paulus et al., 2018, trigram blocking).

import type { ExerciseSpec } from '../spec.js';
import '../../diagnose/repetition.js'; // registers detectLoop
import '../../generate/no-repeat-ngram.js'; // registers bannedNgramTokens
import type { Loop } from '../../diagnose/repetition.js';
import '../../diagnose/loss-spikes.js'; // registers detectSpikes
import type { SpikeReport } from '../../diagnose/loss-spikes.js';
import '../../diagnose/attention-stats.js'; // registers attentionStats
import type { AttentionStats } from '../../diagnose/attention-stats.js';
import {
  circuitScoresStep,
  loopDiagnosisStep,
  looped,
  noisyLoss,
  noRepeatStep,
  offsetPattern,
  randomPattern,
  runAnalysisStep,
} from './ch14-helpers.js';

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

// loss-spikes

const lossSpikesSpec: ExerciseSpec = {
  id: 'loss-spikes',
  chapter: 14,
  section: 'Loss spikes',
  title: "Loss spikes by Hampel's rule: above the recent median by k robust standard deviations",
  exportName: 'detectSpikes',
  slot: 'detectSpikes',
  pureInputs: true,
  topics: ['training'],
  compare:
    'Practitioners mostly eyeball the curve; OLMo and PaLM describe spikes and restart from a checkpoint ' +
    'a few hundred steps before them, skipping the batches. A mean and standard deviation over the ' +
    'window would be pulled up by the spikes themselves; the median and MAD are not (Hampel, 1974).',
  hints: [
    'Walk the series in order, keeping the finite values seen so far. Once there are minHistory of ' +
      'them, compare each new value with the median of the last `window` of them: it is a spike if ' +
      'it exceeds that median by more than k robust standard deviations, and by more than minRise of ' +
      'the median. NaN and infinite values go to nonFinite and into no window.',
    'median = middle of the sorted window (mean of the two middle ones for an even count); MAD = ' +
      'median of |x - median| over the window; threshold = median + max(k · 1.4826 · MAD, minRise · ' +
      '|median|). Defaults: window 25, k 6, minRise 0.1, minHistory 5. Every finite value, spike or ' +
      'not, joins the history after it is judged.',
    'for each {step, value}: if (!isFinite(value)) { nonFinite.push(step); continue } if (history.length ' +
      '>= minHistory) { recent = history.slice(-window); b = median(recent); mad = median(recent.map(x => ' +
      '|x - b|)); t = b + max(k*1.4826*mad, minRise*|b|); if (value > t) spikes.push({ step, value, ' +
      'baseline: b, threshold: t }) } history.push(value)',
  ],
  tolerance: { atol: 1e-9, rtol: 1e-9 },
  cases: () => [
    { name: 'a clean noisy decaying curve: no spike', args: [noisyLoss(200)] },
    { name: 'spikes planted at 60, 61 and 150', args: [noisyLoss(200, [60, 61, 150])] },
    {
      name: 'NaN and infinity listed apart',
      args: [
        noisyLoss(80, [40]).map((p) =>
          p.step === 50 ? { ...p, value: NaN } : p.step === 70 ? { ...p, value: Infinity } : p,
        ),
      ],
    },
    { name: 'window 10, k 3', args: [noisyLoss(120, [90], 1.2), { window: 10, k: 3 }] },
    {
      name: 'minRise 0.5: a 1.6x rise counts, 1.3x does not',
      args: [
        noisyLoss(100, [50]).map((p) => (p.step === 80 ? { ...p, value: p.value * 1.3 } : p)),
        { minRise: 0.5 },
      ],
    },
    { name: 'fewer points than minHistory', args: [noisyLoss(4, [3])] },
    { name: 'even window (median of two middles)', args: [noisyLoss(60, [30, 45]), { window: 8 }] },
  ],
  diagnose(got, want) {
    const g = got as Partial<SpikeReport> | null;
    const w = want as SpikeReport;
    if (!g || !Array.isArray(g.spikes) || !Array.isArray(g.nonFinite))
      return 'return { spikes: [{ step, value, baseline, threshold }], nonFinite: [steps] }';
    const gs = g.spikes.map((s) => s.step);
    const ws = w.spikes.map((s) => s.step);
    if (w.nonFinite.length > 0 && g.nonFinite.length === 0) return 'NaN and infinite values go to nonFinite';
    if (gs.length > ws.length)
      return 'spikes where there are none: the threshold is too low (k · 1.4826 · MAD)';
    if (gs.length < ws.length && ws.length >= 2 && gs.includes(ws[0]) && !gs.includes(ws[1]))
      return 'a spike hides the next one: use the median and MAD (robust), not the mean and std';
    if (
      gs.join() === ws.join() &&
      g.spikes.some((s, i) => Math.abs(s.baseline - w.spikes[i].baseline) > 1e-9)
    )
      return 'the baseline is the median of the window before the point (not including it)';
    return null;
  },
  extra: [runAnalysisStep()],
};

// head-scores

const headScoresSpec: ExerciseSpec = {
  id: 'head-scores',
  chapter: 14,
  section: 'What each head does',
  title: "One head's pattern as numbers: entropy, previous-token, first-token and local scores",
  exportName: 'attentionStats',
  slot: 'attentionStats',
  pureInputs: true,
  topics: ['attention'],
  compare:
    "TransformerLens's head detectors score a pattern the same way (mean attention on the previous token, " +
    'on the first token, on the token after the previous occurrence); Transformer Explainer and llm-viz ' +
    'show the patterns but score nothing.',
  hints: [
    'Every score is a mean over query rows. Row 0 is left out of all of them: query 0 can only look at ' +
      'key 0. previous = mean of A[i][i-1]; sink = mean of A[i][0]; entropy = mean of -Σ_j A[i][j] ' +
      'log A[i][j] over keys j <= i (0 · log 0 = 0); normalised: each row entropy divided by log(i + 1) ' +
      'first.',
    'local: the mass on keys i-3 .. i, averaged over the queries i = 4 .. T-1 only (earlier windows hold ' +
      'every key); NaN when there is no such query. A mean of no values is NaN.',
    'for (i = 1; i < T; i++) { h = -Σ_{j<=i, A>0} A log A; ent.push(h); entN.push(h / log(i+1)); ' +
      'prev.push(A[i][i-1]); sink.push(A[i][0]); if (i > 3) local.push(A[i][i-3] + ... + A[i][i]) } ' +
      'return { entropy, entropyNormalised, previous, sink, local } as means',
  ],
  tolerance: { atol: 1e-9, rtol: 1e-9 },
  cases: (rng) => [
    { name: 'a random causal pattern, T = 9', args: [randomPattern(rng, 9)] },
    { name: 'a sharp random pattern, T = 16', args: [randomPattern(rng, 16, 8)] },
    { name: 'a previous-token head (one-hot on i - 1)', args: [offsetPattern(10, 1)] },
    { name: 'a sink head (one-hot on key 0)', args: [offsetPattern(7, 100)] },
    { name: 'uniform attention, T = 12', args: [randomPattern(rng, 12, 0)] },
    { name: 'T = 4: no query past the local window (local NaN)', args: [randomPattern(rng, 4)] },
    { name: 'T = 2', args: [randomPattern(rng, 2)] },
  ],
  diagnose(got, want, c) {
    const g = got as Partial<AttentionStats> | null;
    const w = want as AttentionStats;
    const T = (c.args[0] as number[][]).length;
    if (!g || typeof g !== 'object') return 'return { entropy, entropyNormalised, previous, sink, local }';
    const near = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-9;
    if (!near(g.sink, w.sink) && near(g.sink, (w.sink * (T - 1) + 1) / T))
      return 'query 0 is counted in the sink score: leave row 0 out (it can only look at key 0)';
    if (!near(g.entropy, w.entropy) && near(g.entropy, (w.entropy * (T - 1)) / T))
      return 'row 0 is counted in the mean entropy: leave it out (its entropy is always 0)';
    if (g.entropy !== undefined && Number.isNaN(g.entropy))
      return 'entropy is NaN: skip zero weights (0 · log 0 = 0), e.g. the causal mask above the diagonal';
    if (T > 4 && !near(g.local, w.local)) return 'local: the mass on keys i-3..i, over queries i >= 4 only';
    return null;
  },
  extra: [circuitScoresStep()],
};

export const chapter14: ExerciseSpec[] = [detectLoopSpec, noRepeatSpec, lossSpikesSpec, headScoresSpec];
