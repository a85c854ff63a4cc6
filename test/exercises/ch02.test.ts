// Chapter 2 exercises: each stub is reported as not written yet, each reference solution passes
// (cases, then the library's BPE trainer or tokenizer with the function inside must give the
// reference's merges and ids), and planted mistakes (non-overlapping pair counts, the last pair
// missed, the overlap merged from the right or twice, ties broken by first occurrence, weights
// ignored, merges applied in text order) fail with a message that names them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findExercise } from '../../src/exercises/catalog.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { referenceOf } from '../../src/exercises/registry.js';
import type { Merge, MergeRules } from '../../src/tokenizer/rules.js';
import { trainMergesReadable } from '../../src/tokenizer/train-readable.js';
import { chunksOf, SMALL_CORPUS } from '../../src/exercises/catalog/ch02-helpers.js';
import { countChunks } from '../../src/tokenizer/train.js';
import { Splitter } from '../../src/tokenizer/pretokenize.js';
import { utf8Encode } from '../../src/tokenizer/bytes.js';

const spec = (id: string) => {
  const s = findExercise(id);
  assert.ok(s, `exercise ${id} is in the catalog`);
  return s;
};
const check = (id: string, fn: unknown) => runExercise(spec(id), fn as LearnerFn);

const EXERCISES: [id: string, file: string, exportName: string][] = [
  ['bpe-pair-counts', '02-bpe-pair-counts', 'bpePairCounts'],
  ['bpe-merge', '02-bpe-merge', 'mergePair'],
  ['bpe-train', '02-bpe-train', 'bpeTrain'],
  ['bpe-encode', '02-bpe-encode', 'bpeEncode'],
];

for (const [id, file, name] of EXERCISES) {
  test(`${id}: the stub is reported as not written yet`, async () => {
    const stub = (await import(`../../exercises/stubs/${file}.ts`)) as Record<string, unknown>;
    const r = check(id, stub[name]);
    assert.equal(r.passed, false);
    assert.match(r.message ?? '', new RegExp(`not written ${name} yet`));
  });

  test(`${id}: the reference solution passes every case and the integration step`, async () => {
    const sol = (await import(`../../exercises/solutions/${file}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

test("the readable merge loop gives trainBpe's merges on the exercise corpus and on Sennrich's", () => {
  const fused = referenceOf('bpeTrain');
  const chunks = countChunks([SMALL_CORPUS], new Splitter({ type: 'gpt2' }), []);
  const corpus: [number[][], number[]] = [
    [...chunks.keys()].map((c) => Array.from(utf8Encode(c))),
    [...chunks.values()],
  ];
  for (const [c, w] of [corpus, chunksOf({ ' low': 5, ' lower': 2, ' newest': 6, ' widest': 3 })]) {
    const want = fused(c, w, 256 + 80, 1);
    assert.ok(want.length > 10);
    assert.deepEqual(trainMergesReadable(c, w, 256 + 80, 1), want);
  }
});

test('bpe-pair-counts: stepping by 2 (overlaps skipped) and missing the last pair are named', () => {
  const stepTwo = (ids: number[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i + 1 < ids.length; i += 2)
      m.set(`${ids[i]},${ids[i + 1]}`, (m.get(`${ids[i]},${ids[i + 1]}`) ?? 0) + 1);
    return m;
  };
  let r = check('bpe-pair-counts', stepTwo);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /overlapping pairs count too/);
  const short = (ids: number[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i + 2 < ids.length; i++)
      m.set(`${ids[i]},${ids[i + 1]}`, (m.get(`${ids[i]},${ids[i + 1]}`) ?? 0) + 1);
    return m;
  };
  r = check('bpe-pair-counts', short);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /last pair/);
});

test('bpe-pair-counts written with reduce over zipped pairs passes', () => {
  const zipped = (ids: number[]) =>
    ids
      .slice(1)
      .map((b, i) => `${ids[i]},${b}`)
      .reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  assert.equal(check('bpe-pair-counts', zipped).passed, true);
});

test("bpe-merge: the overlapping 'aaa' merged from the right, or twice, is named", () => {
  const fromRight = (ids: number[], [a, b]: [number, number], id: number) => {
    const out: number[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      if (i > 0 && ids[i - 1] === a && ids[i] === b) {
        out.unshift(id);
        i--;
      } else out.unshift(ids[i]!);
    }
    return out;
  };
  let r = check('bpe-merge', fromRight);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /the overlap is resolved from the right/);
  const twice = (ids: number[], [a, b]: [number, number], id: number) => {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) out.push(id);
      else if (!(i > 0 && ids[i - 1] === a && ids[i] === b)) out.push(ids[i]!);
    }
    return out;
  };
  r = check('bpe-merge', twice);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /skip both ids/);
});

/** A bpeTrain whose choice of the best pair is `pick` (for planted mistakes). */
function trainWith(pick: (counts: Map<string, number>) => [number, number, number] | null, weighted = true) {
  return (chunks: number[][], weights: number[], numTokens: number, minFrequency: number): Merge[] => {
    let parts = chunks.map((c) => c.slice());
    const merges: Merge[] = [];
    for (let id = 256; id < numTokens; id++) {
      const counts = new Map<string, number>();
      parts.forEach((p, i) => {
        for (let j = 0; j + 1 < p.length; j++) {
          const k = `${p[j]},${p[j + 1]}`;
          counts.set(k, (counts.get(k) ?? 0) + (weighted ? weights[i]! : 1));
        }
      });
      const best = pick(counts);
      if (!best || best[2] < minFrequency) break;
      merges.push([best[0], best[1], id]);
      parts = parts.map((p) => {
        const out: number[] = [];
        for (let j = 0; j < p.length; j++) {
          if (j + 1 < p.length && p[j] === best[0] && p[j + 1] === best[1]) {
            out.push(id);
            j++;
          } else out.push(p[j]!);
        }
        return out;
      });
    }
    return merges;
  };
}

const firstSeenMax = (counts: Map<string, number>): [number, number, number] | null => {
  let best: [number, number, number] | null = null;
  for (const [k, n] of counts) {
    const [a, b] = k.split(',').map(Number) as [number, number];
    if (!best || n > best[2]) best = [a, b, n]; // ties: the first seen, as Python's max(stats, key=...)
  }
  return best;
};

test('bpe-train: ties broken by first occurrence (max over a dict) are named', () => {
  const r = check('bpe-train', trainWith(firstSeenMax));
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /a tie: the library takes the smaller left id/);
});

test('bpe-train: counting each distinct chunk once (weights ignored) is named', () => {
  const smallest = (counts: Map<string, number>) => {
    let best: [number, number, number] | null = null;
    for (const [k, n] of counts) {
      const [a, b] = k.split(',').map(Number) as [number, number];
      if (!best || n > best[2] || (n === best[2] && (a < best[0] || (a === best[0] && b < best[1]))))
        best = [a, b, n];
    }
    return best;
  };
  const r = check('bpe-train', trainWith(smallest, false));
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /weighted by chunk counts/);
});

test('bpe-encode: merging in text order instead of rank order is named', () => {
  const textOrder = (ids: number[], rules: MergeRules) => {
    const parts = ids.slice();
    for (;;) {
      const at = parts.findIndex((x, i) => i + 1 < parts.length && rules.rank(x, parts[i + 1]!) < Infinity);
      if (at < 0) return parts;
      parts.splice(at, 2, rules.merged(parts[at]!, parts[at + 1]!));
    }
  };
  const r = check('bpe-encode', textOrder);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /by rank \(lowest first\), not in the order they appear/);
});

test('bpe-encode written as minbpe does (all occurrences of the best pair at once) passes', () => {
  const minbpe = (ids: number[], rules: MergeRules) => {
    let parts = ids.slice();
    while (parts.length >= 2) {
      let best = Infinity;
      let pair: [number, number] = [0, 0];
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rules.rank(parts[i]!, parts[i + 1]!);
        if (r < best) [best, pair] = [r, [parts[i]!, parts[i + 1]!]];
      }
      if (best === Infinity) break;
      const id = rules.merged(pair[0], pair[1]);
      const out: number[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i + 1 < parts.length && parts[i] === pair[0] && parts[i + 1] === pair[1]) {
          out.push(id);
          i++;
        } else out.push(parts[i]!);
      }
      parts = out;
    }
    return parts;
  };
  assert.equal(check('bpe-encode', minbpe).passed, true);
});
