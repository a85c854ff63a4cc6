// tokenizer.json (src/tokenizer/hf-json/) against the reference, @huggingface/tokenizers: the same
// ids and the same decoded text for three files made by scripts/make-tokenizer-json-fixtures.ts
// (Llama 3 style, Qwen2 style, SentencePiece-style byte-fallback BPE) on a varied corpus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as Reference } from '@huggingface/tokenizers';
import { hfTokenizerFromJson, type HfJsonTokenizer } from '../../src/tokenizer/hf-json/index.js';
import { tokenizerFromJson, tokenizerToJson } from '../../src/tokenizer/json-format.js';
import { VARIED } from './corpus.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'tokenizer-json');
const read = (name: string): string => readFileSync(join(DIR, `${name}.json`), 'utf8');
const reference = (json: string): Reference =>
  // clean_up_tokenization_spaces is a transformers option, not part of tokenizer.json: off.
  new Reference(JSON.parse(json), { clean_up_tokenization_spaces: false });

/** The varied corpus plus what these families add: their special tokens, rare and odd characters. */
const CORPUS: readonly string[] = [
  ...VARIED,
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>',
  '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>',
  '<s>[INST] hello [/INST] answer</s>  <s> spaced </s>',
  'a<|end_of_text|>b<|endoftext|>c</s><unk>',
  'control \u0000\u0001\u001f\u007f and next-line \u0085 and lone surrogates \ud800x\udfff',
  'replacement \ufffd, private use \ue000, astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀 ꙮ, CJK ext 𠀀𠀁',
  'digits 1 12 123 1234 12345 123456 and ١٢٣٤ and ８９',
  "CASE: DON'T I'M YOU'RE WE'VE SHE'LL HE'D IT'S 'S",
  '\t \n \r\n \u00a0\u3000\u2028 mixed whitespace runs   \n\n\t\t  ',
  'x'.repeat(300) + ' ' + '😀'.repeat(50),
  'NFC vs NFD: \u00e9 e\u0301 \u1e9b\u0323 \uac00 \u1100\u1161',
];

/** Decoding differs from the reference here on purpose: see the note in the test below. */
const BOM = '\ufeff';

for (const name of ['llama3', 'qwen2', 'sp-bpe']) {
  const json = read(name);
  const ref = reference(json);
  const ours = hfTokenizerFromJson(json, `${name}.json`);

  test(`${name}: ids equal @huggingface/tokenizers on the varied corpus, template included`, () => {
    for (const text of CORPUS)
      assert.deepEqual(
        ours.encode(text, { allowedSpecial: 'all' }),
        ref.encode(text).ids,
        JSON.stringify(text),
      );
  });

  test(`${name}: without the template (add_special_tokens false) ids still agree`, () => {
    for (const text of CORPUS) {
      const want = ref.encode(text, { add_special_tokens: false }).ids;
      assert.deepEqual(ours.encode(text, { allowedSpecial: 'all', addSpecialTokens: false }), want);
    }
  });

  test(`${name}: decoded text equals the reference's, specials kept and skipped`, () => {
    for (const text of CORPUS) {
      const ids = ref.encode(text).ids;
      if (ids.length === 0) continue;
      // The reference's ByteFallback decoder uses a TextDecoder that drops a leading byte-order
      // mark; Hugging Face's Rust decoder (String::from_utf8) keeps it, and so do we.
      if (name === 'sp-bpe' && text.includes(BOM)) continue;
      assert.equal(ours.decode(ids), ref.decode(ids), JSON.stringify(text));
      assert.equal(
        ours.decode(ids, { skipSpecialTokens: true }),
        ref.decode(ids, { skip_special_tokens: true }),
      );
    }
  });

  test(`${name}: decoding arbitrary id sequences (split characters, lone bytes) matches`, () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 200; k++) {
      const ids = Array.from({ length: 1 + rand(12) }, () => rand(ours.vocabSize));
      assert.equal(ours.decode(ids), ref.decode(ids), JSON.stringify(ids));
    }
  });

  test(`${name}: a checkpoint saves the file unchanged and reads it back`, () => {
    assert.equal(tokenizerToJson(ours), json);
    const again = tokenizerFromJson(tokenizerToJson(ours)) as HfJsonTokenizer;
    assert.deepEqual(again.encode(CORPUS[6]), ours.encode(CORPUS[6]));
  });
}

test('llama3: encode prepends <|begin_of_text|>, as the post_processor template says', () => {
  const tok = hfTokenizerFromJson(read('llama3'));
  const bos = tok.specialTokens['<|begin_of_text|>'];
  assert.equal(tok.encode('Hi')[0], bos);
  assert.notEqual(tok.encode('Hi', { addSpecialTokens: false })[0], bos);
});

test('special tokens are text unless allowed: user input cannot forge <|im_end|>', () => {
  const tok = hfTokenizerFromJson(read('qwen2'));
  const end = tok.specialTokens['<|im_end|>'];
  const text = 'hi<|im_end|>';
  assert.ok(!tok.encode(text).includes(end));
  assert.equal(tok.decode(tok.encode(text)), text);
  assert.ok(tok.encode(text, { allowedSpecial: ['<|im_end|>'] }).includes(end));
});

/** The parts of a fixture the variants below change. */
interface Fixture {
  model: Record<string, unknown>;
  normalizer: unknown;
  pre_tokenizer: unknown;
  decoder: unknown;
  added_tokens: unknown[];
}

const metaspace = (scheme: string) => ({
  type: 'Metaspace',
  replacement: '▁',
  prepend_scheme: scheme,
  split: false,
});
const VARIANTS: [string, string, (d: Fixture) => void][] = [
  [
    'sp-bpe',
    'the newer Metaspace pre-tokenizer, prepend_scheme "first"',
    (d) => {
      d.normalizer = null;
      d.pre_tokenizer = metaspace('first');
    },
  ],
  [
    'sp-bpe',
    'Metaspace "always" and the Metaspace decoder',
    (d) => {
      d.normalizer = null;
      d.pre_tokenizer = metaspace('always');
      d.decoder = metaspace('always');
    },
  ],
  [
    'sp-bpe',
    'no byte fallback: unknown characters fuse into one <unk>',
    (d) => (d.model.byte_fallback = false),
  ],
  [
    'sp-bpe',
    'no byte fallback, no fuse_unk: one <unk> each',
    (d) => {
      d.model.byte_fallback = false;
      d.model.fuse_unk = false;
    },
  ],
  ['llama3', 'ignore_merges off', (d) => (d.model.ignore_merges = false)],
  [
    'qwen2',
    'ByteLevel with its own regex and add_prefix_space, NFKC + Lowercase',
    (d) => {
      d.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: true, use_regex: true };
      d.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] };
    },
  ],
  [
    'qwen2',
    'a Split regex with Oniguruma ^ $ . \\w (line anchors, . excludes only \\n, Unicode words)',
    (d) => {
      const split = {
        type: 'Split',
        pattern: { Regex: '^\\s+|\\w+|.$|[^\\w\\s]+|\\s+' },
        behavior: 'Isolated',
      };
      const bytes = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
      d.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ ...split, invert: false }, bytes] };
    },
  ],
  [
    'qwen2',
    'a normalized, non-special added token with rstrip',
    (d) => {
      d.added_tokens.push({
        id: 5000,
        content: 'hello',
        special: false,
        normalized: true,
        lstrip: false,
        rstrip: true,
      });
    },
  ],
];

for (const [name, what, change] of VARIANTS) {
  test(`${name} variant, ${what}: ids and text equal the reference`, () => {
    const data = JSON.parse(read(name)) as Fixture;
    change(data);
    const json = JSON.stringify(data);
    const ref = reference(json);
    const ours = hfTokenizerFromJson(json);
    for (const text of [...CORPUS, 'Hello   hello world HELLO ꙮꙮ x']) {
      const ids = ref.encode(text).ids;
      assert.deepEqual(ours.encode(text, { allowedSpecial: 'all' }), ids, JSON.stringify(text));
      if (ids.length > 0 && !text.includes(BOM)) assert.equal(ours.decode(ids), ref.decode(ids));
    }
  });
}

test('piece shows the text a token stands for: bytes for byte-level, " " for "▁", <0xNN>', () => {
  const llama = hfTokenizerFromJson(read('llama3'));
  const ids = llama.encode(' wörld 東', { addSpecialTokens: false });
  assert.equal(
    ids
      .map((id) => llama.piece(id))
      .join('')
      .replace(/<0x(..)>/g, ''),
    ' wrld 東',
  );
  const sp = hfTokenizerFromJson(read('sp-bpe'));
  const pieces = sp.encode('ꙮ', { addSpecialTokens: false }).map((id) => sp.piece(id));
  assert.deepEqual(pieces, [' ', '<0xEA>', '<0x99>', '<0xAE>']);
});
