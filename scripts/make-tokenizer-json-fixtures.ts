// Writes three small Hugging Face tokenizer.json files to test/fixtures/tokenizer-json/, each from
// a BPE trained by our own trainer (src/tokenizer/train.ts) so they stay small, laid out exactly
// as the hub's files for these families are:
//   llama3.json  byte-level BPE, Llama 3's split regex, ignore_merges, <|begin_of_text|> template,
//                merges as "a b" strings
//   qwen2.json   byte-level BPE, NFC, Qwen2's split regex (single digits), merges as [a, b] pairs
//   sp-bpe.json  SentencePiece-style BPE (Llama 2 / Mistral v0.1): Prepend + Replace "▁",
//                byte_fallback <0xNN> tokens, <unk> fused, the Replace/ByteFallback/Fuse/Strip decoder
// Run: node --import tsx scripts/make-tokenizer-json-fixtures.ts

import { mkdirSync, writeFileSync } from 'node:fs';
import { defaultCorpus } from '../src/data/sotu.js';
import { bytesToSymbols } from '../src/tokenizer/byte-unicode.js';
import { trainBpe } from '../src/tokenizer/train.js';
import { onigurumaToJs } from '../src/tokenizer/hf-json/regex.js';
import type { BpeTokenizer } from '../src/tokenizer/bpe.js';

const OUT = 'test/fixtures/tokenizer-json';

// The split patterns exactly as the hub's tokenizer.json files hold them (Oniguruma syntax).
export const LLAMA3_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|" +
  '\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';
export const QWEN2_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|" +
  '\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';

// Prose from the bundled State of the Union addresses, plus code, CJK and emoji so those merge too.
const EXTRA = [
  'function add(a, b) {\n  return a + b;\n}\nconst xs = [1, 2, 3].map((x) => x * 2);\n',
  'def main():\n    for i in range(10):\n        print(f"value {i}")\n',
  '日本語のテキストです。東京は日本の首都です。中文：你好，世界！我们学习语言模型。',
  '한국어 문장입니다. Emoji: 😀 👍 🎉 ❤️ café naïve Zürich',
].join('\n');
const CORPUS = `${defaultCorpus({ maxChars: 120_000 })}\n${EXTRA.repeat(20)}`;

function byteLevelVocab(tok: BpeTokenizer): { vocab: Record<string, number>; merges: [string, string][] } {
  const vocab: Record<string, number> = {};
  tok.vocab.forEach((b, id) => b && (vocab[bytesToSymbols(b)] = id));
  const merges = tok.merges!.map(([l, r]): [string, string] => [
    bytesToSymbols(tok.vocab[l]!),
    bytesToSymbols(tok.vocab[r]!),
  ]);
  return { vocab, merges };
}

const added = (id: number, content: string, special = true): Record<string, unknown> => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special,
});

const bpeModel = (vocab: Record<string, number>, merges: unknown[], extra: Record<string, unknown>) => ({
  type: 'BPE',
  dropout: null,
  unk_token: null,
  continuing_subword_prefix: null,
  end_of_word_suffix: null,
  fuse_unk: false,
  byte_fallback: false,
  ignore_merges: false,
  ...extra,
  vocab,
  merges,
});

const byteLevel = (use_regex: boolean, trim_offsets = true) => ({
  type: 'ByteLevel',
  add_prefix_space: false,
  trim_offsets,
  use_regex,
});

const splitPre = (regex: string) => ({
  type: 'Split',
  pattern: { Regex: regex },
  behavior: 'Isolated',
  invert: false,
});

function llama3(): object {
  const tok = trainBpe(CORPUS, {
    vocabSize: 1000,
    pretokenizer: { type: 'regex', pattern: onigurumaToJs(LLAMA3_REGEX) },
  });
  const { vocab, merges } = byteLevelVocab(tok);
  const n = tok.vocab.length;
  const specials = [
    '<|begin_of_text|>',
    '<|end_of_text|>',
    '<|reserved_special_token_0|>',
    '<|start_header_id|>',
    '<|end_header_id|>',
    '<|eot_id|>',
  ];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((s, i) => added(n + i, s)),
    normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [splitPre(LLAMA3_REGEX), byteLevel(false)] },
    post_processor: {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [
            { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
          ],
          pair: [
            { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } },
            { Sequence: { id: 'B', type_id: 1 } },
          ],
          special_tokens: {
            '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [n], tokens: ['<|begin_of_text|>'] },
          },
        },
      ],
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpeModel(
      vocab,
      merges.map(([a, b]) => `${a} ${b}`),
      { ignore_merges: true },
    ),
  };
}

function qwen2(): object {
  const tok = trainBpe(CORPUS.normalize('NFC'), {
    vocabSize: 900,
    pretokenizer: { type: 'regex', pattern: onigurumaToJs(QWEN2_REGEX) },
  });
  const { vocab, merges } = byteLevelVocab(tok);
  const n = tok.vocab.length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'].map((s, i) => added(n + i, s)),
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [splitPre(QWEN2_REGEX), byteLevel(false, false)] },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: bpeModel(vocab, merges, {}),
  };
}

/**
 * SentencePiece-style: train byte-level on text whose spaces are "▁" (cut before each "▁"), then
 * keep the tokens that are whole characters. Characters never seen fall back to <0xNN> bytes.
 */
function spBpe(): object {
  const text = CORPUS.replaceAll(' ', '▁');
  const tok = trainBpe(text, { vocabSize: 1100, pretokenizer: { type: 'regex', pattern: '▁*[^▁]+|▁+' } });
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const strOf = (id: number): string | undefined => {
    try {
      return fatal.decode(tok.vocab[id]!);
    } catch {
      return undefined;
    }
  };
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  let next = 259;
  const add = (s: string): void => {
    if (vocab[s] === undefined) vocab[s] = next++;
  };
  // Base characters: every character of the corpus seen at least 3 times, most frequent first.
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  [...counts]
    .filter(([, c]) => c >= 3)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .forEach(([ch]) => add(ch));
  const merges: string[] = [];
  for (const [l, r, m] of tok.merges!) {
    const [a, b, ab] = [strOf(l), strOf(r), strOf(m)];
    if (a === undefined || b === undefined || ab === undefined) continue;
    if (vocab[a] === undefined || vocab[b] === undefined) continue;
    add(ab);
    merges.push(`${a} ${b}`);
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: bpeModel(vocab, merges, { unk_token: '<unk>', fuse_unk: true, byte_fallback: true }),
  };
}

mkdirSync(OUT, { recursive: true });
for (const [name, make] of [
  ['llama3', llama3],
  ['qwen2', qwen2],
  ['sp-bpe', spBpe],
] as const) {
  const json = JSON.stringify(make(), null, 1);
  writeFileSync(`${OUT}/${name}.json`, `${json}\n`);
  console.log(`wrote ${OUT}/${name}.json (${json.length} bytes)`);
}
