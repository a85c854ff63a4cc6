// Chapter 2 exercises: byte-pair encoding (docs/02-tokenization.md). Plain arrays and Maps in and
// out: pair counts, merging one pair, the training loop, and encoding by rank. The integration
// steps run the library's own BPE tokenizer with the learner's function inside.

import type { Rng } from '../../tensor/rng.js';
import { MergeList, type Merge, type MergeRules } from '../../tokenizer/rules.js';
import '../../tokenizer/merge.js';
import '../../tokenizer/train.js';
import { trainMergesReadable } from '../../tokenizer/train-readable.js';
import { utf8Encode } from '../../tokenizer/bytes.js';
import { referenceOf, withImplementations } from '../registry.js';
import type { ExerciseSpec } from '../spec.js';
import { randomIds } from '../helpers.js';
import {
  chunksOf,
  freshSmallTokenizer,
  HELD_OUT,
  SMALL_CORPUS,
  sameEncoding,
  smallTokenizer,
  trainAndEncode,
} from './ch02-helpers.js';

const SECTION = 'Byte-pair encoding: merges';
const bytesOf = (s: string): number[] => Array.from(utf8Encode(s));

/** The merge loop built from the registry's pair counts and merge (the learner's, when installed). */
const readableTraining = {
  kind: 'integration' as const,
  name: `the library's BPE trainer, with your function inside, on a ${SMALL_CORPUS.length}-character corpus`,
  run: () =>
    sameEncoding('training with your function', () =>
      withImplementations({ bpeTrain: trainMergesReadable }, () => trainAndEncode()),
    ),
};

const pairCounts: ExerciseSpec = {
  id: 'bpe-pair-counts',
  chapter: 2,
  section: SECTION,
  title: 'Count the adjacent pairs of token ids',
  exportName: 'bpePairCounts',
  slot: 'bpePairCounts',
  pureInputs: true,
  topics: ['tokenizer'],
  hints: [
    'A sequence of n ids has n - 1 adjacent pairs: (ids[0], ids[1]), (ids[1], ids[2]), ...',
    'Use a Map from the key `${left},${right}` to a count; every position counts, so [7, 7, 7] ' +
      "has the pair '7,7' twice.",
    'for (let i = 0; i + 1 < ids.length; i++) { const k = `${ids[i]},${ids[i + 1]}`; ' +
      'counts.set(k, (counts.get(k) ?? 0) + 1); }',
  ],
  cases: (rng: Rng) => [
    { name: 'short sequence [1, 2, 3, 1, 2]', args: [[1, 2, 3, 1, 2]] },
    { name: 'overlapping pairs [7, 7, 7, 7]: each position counts', args: [[7, 7, 7, 7]] },
    { name: 'size 1: no pairs', args: [[42]] },
    { name: 'empty: no pairs', args: [[]] },
    { name: 'random ids (50 over a vocabulary of 5)', args: [randomIds(rng, 50, 5)] },
    { name: 'ids above 255 (merged tokens)', args: [[300, 1000, 300, 1000, 257]] },
  ],
  diagnose(got, want, c) {
    if (!(got instanceof Map) || !(want instanceof Map)) return null;
    const total = (m: Map<unknown, unknown>) => [...m.values()].reduce((a: number, b) => a + Number(b), 0);
    const ids = c.args[0] as number[];
    const g = total(got);
    const w = total(want);
    const lastKey = ids.length >= 2 ? `${ids[ids.length - 2]},${ids[ids.length - 1]}` : '';
    if (g === w - 1 && (got.get(lastKey) ?? 0) === Number(want.get(lastKey)) - 1)
      return ids.slice(0, -1).join(',').includes(lastKey) && [...got.values()].every((n) => n === 1)
        ? `'${lastKey}' is counted once, not twice: either the last pair is not counted, or a ` +
            'repeated pair overwrote its count instead of adding 1'
        : 'one pair short: the last pair is (ids[n - 2], ids[n - 1])';
    if (got.size === want.size && [...got.values()].every((n) => n === 1) && w > want.size)
      return 'every pair has count 1: add 1 to the count of a pair seen before, do not overwrite it';
    if (g < w) return `${g} pairs counted, ${w} wanted: overlapping pairs count too (step by 1, not 2)`;
    if (ids.length > 0 && [...got.keys()].some((k) => typeof k !== 'string'))
      return "the keys must be strings 'left,right', e.g. '7,7'";
    return null;
  },
  extra: [readableTraining],
};

const mergePair: ExerciseSpec = {
  id: 'bpe-merge',
  chapter: 2,
  section: SECTION,
  title: 'Merge every occurrence of a pair into a new token',
  exportName: 'mergePair',
  slot: 'mergePair',
  pureInputs: true,
  topics: ['tokenizer'],
  hints: [
    'Build a new array, walking the ids left to right.',
    'Where ids[i], ids[i + 1] is the pair, push newId and skip both (i += 2); otherwise push ids[i] ' +
      'and move one. Skipping both is what makes [a, a, a] become [new, a], not [new, new].',
    'for (let i = 0; i < ids.length; ) { if (i + 1 < ids.length && ids[i] === pair[0] && ' +
      'ids[i + 1] === pair[1]) { out.push(newId); i += 2; } else out.push(ids[i++]); }',
  ],
  cases: (rng: Rng) => [
    { name: "Wikipedia's aaabdaaabac, pair (a, a)", args: [bytesOf('aaabdaaabac'), [97, 97], 256] },
    { name: 'overlapping run a a a: left to right, no overlap', args: [bytesOf('aaa'), [97, 97], 256] },
    { name: 'run of four a a a a', args: [bytesOf('aaaa'), [97, 97], 256] },
    { name: 'pair at the very end', args: [[5, 1, 2, 9, 1, 2], [1, 2], 300] },
    { name: 'no occurrence: unchanged', args: [[1, 3, 2, 1], [1, 2], 300] },
    { name: 'size 1', args: [[1], [1, 2], 300] },
    { name: 'random ids (60 over a vocabulary of 3)', args: [randomIds(rng, 60, 3), [1, 0], 257] },
  ],
  diagnose(got, want, c) {
    if (!Array.isArray(got) || !Array.isArray(want)) return null;
    const [ids, [a, b], id] = c.args as [number[], [number, number], number];
    // The same merge, scanning right to left: what a learner gets by matching from the end.
    const rtl: number[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      if (i > 0 && ids[i - 1] === a && ids[i] === b) {
        rtl.unshift(id);
        i--;
      } else rtl.unshift(ids[i]!);
    }
    if (got.join() === rtl.join())
      return 'the overlap is resolved from the right: scan left to right, so a a a becomes (a a) a';
    const uses = (xs: unknown[]) => xs.filter((x) => x === id).length;
    if (uses(got) > uses(want))
      return (
        `newId appears ${uses(got)} times, ${uses(want)} wanted: occurrences overlap (a a a holds one ` +
        '(a a), not two); after a match skip both ids'
      );
    if (got.length < want.length)
      return (
        `${got.length} ids, ${want.length} wanted: occurrences overlap (a a a has one, not two); ` +
        'after a match skip both ids'
      );
    if (got.length > want.length)
      return `${got.length} ids, ${want.length} wanted: some occurrences were not merged`;
    return null;
  },
  extra: [readableTraining],
};

const train: ExerciseSpec = {
  id: 'bpe-train',
  chapter: 2,
  section: SECTION,
  title: 'The BPE training loop',
  exportName: 'bpeTrain',
  slot: 'bpeTrain',
  topics: ['tokenizer'],
  hints: [
    'Keep a copy of each chunk as an array of ids. Loop: count the pairs of every chunk, each ' +
      "chunk's counts times its weight; pick the best pair; merge it in every chunk; record [a, b, id].",
    'The best pair: the highest count; on a tie the smaller left id, then the smaller right id. Stop ' +
      'when no pair is left or its count is below minFrequency. Keep the bytes of each token ' +
      '(tokens[id]): the new token is bytes(a) + bytes(b).',
    'The new id is the next free one (tokens.length), unless a token with exactly those bytes exists ' +
      '(then reuse its id and the vocabulary does not grow). Loop while tokens.length < numTokens.',
  ],
  cases: (rng: Rng) => {
    const letters = ['a', 'b', 'c'];
    const words: Record<string, number> = {};
    for (let i = 0; i < 8; i++) {
      const w = Array.from({ length: 2 + rng.randint(0, 6) }, () => letters[rng.randint(0, 3)]).join('');
      words[w] = (words[w] ?? 0) + 1 + rng.randint(0, 4);
    }
    return [
      {
        name: "Sennrich's toy corpus (low ×5, lower ×2, newest ×6, widest ×3), 12 merges",
        args: [...chunksOf({ ' low': 5, ' lower': 2, ' newest': 6, ' widest': 3 }), 256 + 12, 1],
      },
      {
        name: 'ties: smaller left id first, then smaller right id',
        args: [...chunksOf({ cd: 1, ab: 1, ba: 1, ac: 1 }), 256 + 3, 1],
      },
      { name: 'overlapping runs (aaaa ×3, aaa ×1)', args: [...chunksOf({ aaaa: 3, aaa: 1 }), 256 + 4, 1] },
      {
        name: 'weights count: "xy" ×10 beats "ab" + "ab"',
        args: [...chunksOf({ xy: 10, abab: 1 }), 256 + 2, 1],
      },
      { name: 'runs out of pairs before numTokens', args: [...chunksOf({ ab: 2 }), 256 + 5, 1] },
      { name: 'minFrequency 3 stops early', args: [...chunksOf({ abc: 3, bcd: 1, cde: 1 }), 256 + 6, 3] },
      { name: 'random chunks over a, b, c, 20 merges', args: [...chunksOf(words), 256 + 20, 1] },
    ];
  },
  diagnose(got, want, c) {
    if (!Array.isArray(got) || !Array.isArray(want)) return null;
    const g = got as Merge[];
    const w = want as Merge[];
    const k = w.findIndex((m, i) => g[i]?.join() !== m.join());
    if (k < 0)
      return g.length > w.length
        ? 'too many merges: stop when the vocabulary is full, or at minFrequency'
        : null;
    if (!g[k])
      return `only ${g.length} merges, ${w.length} wanted: keep going while a pair occurs minFrequency times`;
    // Replay the reference's first k merges and count the pairs at step k.
    const [chunks, weights] = c.args as [number[][], number[]];
    const counts0 = referenceOf('bpePairCounts');
    const merge0 = referenceOf('mergePair');
    let parts = chunks.map((x) => x.slice());
    for (const [a, b, id] of w.slice(0, k)) parts = parts.map((p) => merge0(p, [a, b], id));
    const counts = new Map<string, number>();
    parts.forEach((p, i) => {
      for (const [key, n] of counts0(p)) counts.set(key, (counts.get(key) ?? 0) + n * weights[i]!);
    });
    const [ga, gb] = g[k]!;
    const [wa, wb] = w[k]!;
    const cg = counts.get(`${ga},${gb}`) ?? 0;
    const cw = counts.get(`${wa},${wb}`) ?? 0;
    if (ga === wa && gb === wb)
      return (
        `merge ${k}: the right pair, but the new id should be ${w[k]![2]}, not ${g[k]![2]} ` +
        '(the next free id)'
      );
    if (cg === cw)
      return (
        `merge ${k}: (${ga}, ${gb}) and (${wa}, ${wb}) both occur ${cw} times, a tie: the library takes ` +
        'the smaller left id, then the smaller right id'
      );
    return (
      `merge ${k}: you merged (${ga}, ${gb}), which occurs ${cg} times; (${wa}, ${wb}) occurs ${cw} ` +
      'times (weighted by chunk counts)'
    );
  },
  extra: [
    {
      kind: 'integration',
      name: `the library's BPE trainer with your loop, on a ${SMALL_CORPUS.length}-character corpus`,
      run: () => sameEncoding('training with your loop', () => trainAndEncode()),
    },
  ],
};

/** Rules where the order of merges is not the order of the text: (b, c) ranks before (a, b). */
const crossedRules = new MergeList([
  [98, 99, 256],
  [97, 98, 257],
  [97, 256, 258],
]);

const encode: ExerciseSpec = {
  id: 'bpe-encode',
  chapter: 2,
  section: SECTION,
  title: 'Encode a chunk by applying the merges in rank order',
  exportName: 'bpeEncode',
  slot: 'bpeEncode',
  pureInputs: true,
  topics: ['tokenizer'],
  hints: [
    'rules.rank(a, b) is the priority of joining a then b (lower first, Infinity if never); ' +
      'rules.merged(a, b) is the token they become.',
    'Loop: find the adjacent pair with the lowest rank (the leftmost on a tie); if none has a finite ' +
      'rank, stop; otherwise replace that pair by rules.merged(a, b) and look again.',
    'let best = Infinity, at = -1; for (i...) { const r = rules.rank(ids[i], ids[i + 1]); if (r < best) ' +
      '{ best = r; at = i; } } if (at < 0) break; ids.splice(at, 2, rules.merged(ids[at], ids[at + 1]));',
  ],
  cases: () => {
    const rules: MergeRules = smallTokenizer().rules;
    return [
      { name: 'a word seen in training (" the")', args: [bytesOf(' the'), rules] },
      { name: 'an unseen word (" slowest")', args: [bytesOf(' slowest'), rules] },
      { name: 'non-ASCII bytes (" naïve")', args: [bytesOf(' naïve'), rules] },
      { name: 'size 1: nothing to merge', args: [bytesOf('t'), rules] },
      { name: 'empty chunk', args: [[], rules] },
      {
        name: 'rank order, not text order: a b c with (b c) ranked first',
        args: [bytesOf('abc'), crossedRules],
      },
      { name: 'overlapping a a a, rule (a a)', args: [bytesOf('aaa'), new MergeList([[97, 97, 256]])] },
      {
        name: 'a long chunk (300 bytes)',
        args: [bytesOf('lowerthanthetower'.repeat(18).slice(0, 300)), rules],
      },
    ];
  },
  diagnose(got, want, c) {
    if (!Array.isArray(got) || !Array.isArray(want)) return null;
    if (c.name.startsWith('rank order'))
      return 'pairs must be merged by rank (lowest first), not in the order they appear in the text';
    if (c.name.startsWith('overlapping') && got.length !== want.length)
      return 'with equal ranks the leftmost pair goes first: a a a becomes (a a) a';
    if (got.length > want.length)
      return `${got.length} ids, ${want.length} wanted: keep merging until no pair has a rank`;
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: `the library's tokenizer encodes a ${HELD_OUT.length}-character text with your function`,
      run: () =>
        sameEncoding('encoding with your function', () => ({ ids: freshSmallTokenizer().encode(HELD_OUT) })),
    },
  ],
};

export const chapter2: ExerciseSpec[] = [pairCounts, mergePair, train, encode];
