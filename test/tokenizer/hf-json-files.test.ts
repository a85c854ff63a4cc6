// tokenizer.json from disk and the command line, and its bad inputs: each fault is one line that
// names the file, the place in it and the problem. Reference ids come from @huggingface/tokenizers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as Reference } from '@huggingface/tokenizers';
import { LlmfsError } from '../../src/errors.js';
import { loadTokenizer } from '../../src/io/tokenizer-files.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { HfJsonTokenizer, hfTokenizerFromJson } from '../../src/tokenizer/hf-json/index.js';
import { parsePreTokenizer, splitBy } from '../../src/tokenizer/hf-json/pre-tokenizers.js';
import { onigurumaToJs } from '../../src/tokenizer/hf-json/regex.js';
import { BpeTokenizer } from '../../src/tokenizer/bpe.js';
import { bpeToHf } from '../../src/tokenizer/hf-format.js';
import { trainBpe } from '../../src/tokenizer/train.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'tokenizer-json');
const read = (name: string): string => readFileSync(join(DIR, `${name}.json`), 'utf8');
const bin = join(import.meta.dirname, '..', '..', 'bin', 'llmfs.mjs');
const llmfs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-tokjson-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The one-line LlmfsError that `fn` throws. */
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LlmfsError, `expected an LlmfsError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('expected an error');
}

type Node = Record<string, unknown>;
/** The object at `path` inside parsed JSON (tests edit fixtures in place). */
const get = (v: unknown, ...path: (string | number)[]): Node =>
  path.reduce<Node>((o, k) => o[k] as Node, v as Node);
const list = (v: unknown, ...path: (string | number)[]): unknown[] => get(v, ...path) as unknown as unknown[];

const edit = (name: string, change: (data: Node) => void): string => {
  const data = JSON.parse(read(name));
  change(data);
  return JSON.stringify(data, null, 1);
};

test('cli: tokenize --encoding DIR reads a model directory tokenizer.json, ids as the reference', () => {
  withDir((dir) => {
    copyFileSync(join(DIR, 'llama3.json'), join(dir, 'tokenizer.json'));
    const text = "Hello, world! It's 2024 — 東京 😀";
    const r = llmfs('tokenize', '--encoding', dir, '--text', text, '--json');
    assert.equal(r.status, 0, r.stderr);
    const ref = new Reference(JSON.parse(read('llama3')), {});
    assert.deepEqual(JSON.parse(r.stdout).ids, ref.encode(text).ids);
    const bare = llmfs('tokenize', '--encoding', dir, '--text', text, '--json', '--no-template');
    assert.deepEqual(JSON.parse(bare.stdout).ids, ref.encode(text, { add_special_tokens: false }).ids);
  });
});

test('loadTokenizer: a Qwen2-style tokenizer.json wins over vocab.json + merges.txt beside it', () => {
  withDir((dir) => {
    copyFileSync(join(DIR, 'qwen2.json'), join(dir, 'tokenizer.json'));
    const gpt2ish = trainBpe('some text to train on, some more text', { vocabSize: 260 });
    const files = bpeToHf(gpt2ish);
    writeFileSync(join(dir, 'vocab.json'), files.vocabJson);
    writeFileSync(join(dir, 'merges.txt'), files.mergesTxt);
    assert.ok(loadTokenizer(dir) instanceof HfJsonTokenizer);
  });
});

test("loadTokenizer: GPT-2's own tokenizer.json beside vocab.json + merges.txt keeps the GPT-2 reader", () => {
  withDir((dir) => {
    const gpt2 = edit('qwen2', (d) => {
      d.normalizer = null;
      d.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    });
    writeFileSync(join(dir, 'tokenizer.json'), gpt2);
    const files = bpeToHf(trainBpe('some text to train on', { vocabSize: 258 }));
    writeFileSync(join(dir, 'vocab.json'), files.vocabJson);
    writeFileSync(join(dir, 'merges.txt'), files.mergesTxt);
    assert.ok(loadTokenizer(dir) instanceof BpeTokenizer);
  });
});

test('bad input: an unsupported model type is named, with what is supported', () => {
  for (const type of ['WordPiece', 'Unigram']) {
    const json = edit('qwen2', (d) => (get(d, 'model').type = type));
    assert.match(
      message(() => hfTokenizerFromJson(json, 'tok.json')),
      new RegExp(`^tok.json: model.type: model type "${type}" is not supported \\(supported: BPE`),
    );
  }
});

test('bad input: malformed JSON names the file, line and column', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'tokenizer.json'), '{\n  "model": {"type": "BPE",,}\n}');
    assert.match(
      message(() => loadTokenizer(dir)),
      /tokenizer\.json:2:\d+: invalid JSON/,
    );
  });
});

test('bad input: unknown components, merges outside the vocab, a bad template: one line each', () => {
  const cases: [(d: Node) => void, RegExp][] = [
    [
      (d) => (get(d, 'pre_tokenizer', 'pretokenizers', 0).type = 'Whitespace'),
      /pre_tokenizer\.pretokenizers\[0\]\.type: "Whitespace" is not supported \(supported: ByteLevel, Split, Metaspace, Sequence\)/,
    ],
    [
      (d) => (d.normalizer = { type: 'BertNormalizer' }),
      /normalizer\.type: "BertNormalizer" is not supported/,
    ],
    [(d) => (d.decoder = { type: 'WordPiece' }), /decoder\.type: "WordPiece" is not supported/],
    [
      (d) => (d.post_processor = { type: 'RobertaProcessing' }),
      /post_processor\.type: "RobertaProcessing" is not supported/,
    ],
    [
      (d) => list(d, 'model', 'merges').push(['Ġzz', 'q']),
      /model\.merges\[\d+\]: token "Ġzz" is not in the vocab/,
    ],
    [
      (d) => (list(d, 'model', 'merges')[0] = 'onlyone'),
      /model\.merges\[0\]: expected "a b" or \["a", "b"\]/,
    ],
    [(d) => (get(d, 'model', 'vocab').x = -1), /model\.vocab: token "x" has a bad id -1/],
    [(d) => (get(d, 'model').dropout = 0.1), /model\.dropout: BPE dropout is a training-time regularizer/],
    [
      (d) => (get(d, 'pre_tokenizer', 'pretokenizers', 0, 'pattern').Regex = '\\Gabc'),
      /regex \/\\Gabc\/: \\G has no exact JavaScript equivalent/,
    ],
    [
      (d) => (get(d, 'pre_tokenizer', 'pretokenizers', 0, 'pattern').Regex = '(?>ab)'),
      /the group "\(\?>a" has no exact/,
    ],
    [
      (d) => (get(d, 'pre_tokenizer', 'pretokenizers', 0, 'pattern').Regex = '\\bword\\b'),
      /\\b has no exact JavaScript equivalent; not supported/,
    ],
    [
      (d) => (get(d, 'pre_tokenizer', 'pretokenizers', 0, 'pattern').Regex = 'a++'),
      /a possessive quantifier has no exact/,
    ],
    [
      (d) => (get(d, 'added_tokens', 0).id = 5),
      /added token "<\|endoftext\|>" has id 5, which the vocab gives to/,
    ],
  ];
  for (const [change, want] of cases)
    assert.match(
      message(() => hfTokenizerFromJson(edit('qwen2', change))),
      want,
    );
  const noA = edit('llama3', (d) => list(d, 'post_processor', 'processors', 1, 'single').pop());
  assert.match(
    message(() => hfTokenizerFromJson(noA)),
    /never places the sequence \$A/,
  );
});

test('regex: Oniguruma (?i:...) becomes ASCII case classes and \\s Unicode White_Space', () => {
  assert.equal(onigurumaToJs("(?i:'s|'re)"), "(?:'[sS]|'[rR][eE])");
  assert.equal(onigurumaToJs('\\s+(?!\\S)'), '\\p{White_Space}+(?!\\P{White_Space})');
  assert.equal(onigurumaToJs('[^\\s\\p{L}]'), '[^\\p{White_Space}\\p{L}]');
});

test("split behaviours follow tokenizers' documentation for 'the-final--countdown'", () => {
  const text = 'the-final--countdown';
  const re = /-/gu;
  assert.deepEqual(splitBy(text, re, 'Removed'), ['the', 'final', 'countdown']);
  assert.deepEqual(splitBy(text, re, 'Isolated'), ['the', '-', 'final', '-', '-', 'countdown']);
  assert.deepEqual(splitBy(text, re, 'MergedWithPrevious'), ['the-', 'final-', '-', 'countdown']);
  assert.deepEqual(splitBy(text, re, 'MergedWithNext'), ['the', '-final', '-', '-countdown']);
  assert.deepEqual(splitBy(text, re, 'Contiguous'), ['the', '-', 'final', '--', 'countdown']);
});

test('loadPretrained: a model directory with only a Hugging Face tokenizer.json gets that tokenizer', () => {
  withDir((dir) => {
    const tiny = join(import.meta.dirname, '..', 'fixtures', 'hf-gpt2', 'tiny');
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(tiny, f), join(dir, f));
    // The Qwen2-style file cut to the tiny model's 289 ids: bytes, the first 20 merges, 3 specials.
    const data = JSON.parse(read('qwen2'));
    const model = get(data, 'model');
    model.vocab = Object.fromEntries(
      Object.entries(get(model, 'vocab')).filter(([, id]) => (id as number) < 276),
    );
    model.merges = list(model, 'merges').slice(0, 20);
    list(data, 'added_tokens').forEach((t, i) => (get(t).id = 276 + i));
    const json = JSON.stringify(data);
    writeFileSync(join(dir, 'tokenizer.json'), json);
    const { tokenizer } = loadPretrained(dir);
    assert.ok(tokenizer instanceof HfJsonTokenizer);
    const text = 'the State of the Union<|im_end|>';
    const ref = new Reference(JSON.parse(json), {});
    assert.deepEqual(tokenizer.encode(text, { allowedSpecial: 'all' }), ref.encode(text).ids);
  });
});

test("Metaspace with split cuts before each '▁', as in tokenizers' own metaspace.rs tests", () => {
  const pre = parsePreTokenizer(
    { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    { file: 't.json', path: 'pre_tokenizer' },
  )!;
  assert.deepEqual(pre(['Hey friend!'], true), ['▁Hey', '▁friend!']);
  assert.deepEqual(pre(['Hey   friend!'], true), ['▁Hey', '▁', '▁', '▁friend!']);
});
