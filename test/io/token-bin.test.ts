// Token files in nanoGPT's format: raw little-endian ids (uint16, or uint32 past 65,536 ids), a
// meta.json beside them, read back checked; `llmfs tokenize --out-bin` splits as `llmfs train`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { readTokenBin, tokenizeToBins, writeTokenBins } from '../../src/io/token-bin-files.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { spawnSync } from 'node:child_process';

const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
const llmfs = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LLMFS_BACKEND: 'js' },
  });

const tmp = (): string => mkdtempSync(join(tmpdir(), 'llmfs-bin-'));

/** One LlmfsError whose message is a single line matching `re`. */
const oneLine =
  (re: RegExp) =>
  (e: unknown): boolean =>
    e instanceof LlmfsError && !e.message.includes('\n') && re.test(e.message);

test('token files: uint16 little-endian bytes as nanoGPT writes them, and read back equal', () => {
  const dir = tmp();
  const meta = writeTokenBins(dir, { train: [0x1234, 1, 65535], val: [7], vocabSize: 65536, tokenizer: 'x' });
  assert.equal(meta.dtype, 'uint16');
  // np.array([0x1234, 1, 65535], dtype=np.uint16).tobytes() on a little-endian machine:
  assert.deepEqual([...readFileSync(join(dir, 'train.bin'))], [0x34, 0x12, 0x01, 0x00, 0xff, 0xff]);
  assert.deepEqual([...readFileSync(join(dir, 'val.bin'))], [0x07, 0x00]);
  const back = readTokenBin(dir, 'train');
  assert.ok(back.tokens instanceof Uint16Array);
  assert.deepEqual([...back.tokens], [0x1234, 1, 65535]);
  assert.deepEqual([...readTokenBin(dir, 'val').tokens], [7]);
  const json = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(json, {
    format: 'nanogpt-bin',
    dtype: 'uint16',
    vocab_size: 65536,
    tokenizer: 'x',
    eot_token: null,
    train_tokens: 3,
    val_tokens: 1,
    source: '',
  });
  // Atomic writes leave no temporary files behind.
  assert.deepEqual(readdirSync(dir).sort(), ['meta.json', 'train.bin', 'val.bin']);
});

test('token files: a vocabulary above 65,536 ids switches to uint32', () => {
  const dir = tmp();
  const meta = writeTokenBins(dir, { train: [70000, 65536, 2], val: [], vocabSize: 70001, tokenizer: 'big' });
  assert.equal(meta.dtype, 'uint32');
  const bytes = readFileSync(join(dir, 'train.bin'));
  assert.equal(bytes.length, 12);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x70, 0x11, 0x01, 0x00]); // 70000 = 0x00011170
  const back = readTokenBin(dir, 'train').tokens;
  assert.ok(back instanceof Uint32Array);
  assert.deepEqual([...back], [70000, 65536, 2]);
  assert.equal(readTokenBin(dir, 'val').tokens.length, 0);
});

test('token files: a truncated or odd-length file is one clear line', () => {
  const dir = tmp();
  writeTokenBins(dir, { train: [1, 2, 3, 4], val: [5, 6], vocabSize: 10, tokenizer: 'char' });
  const train = join(dir, 'train.bin');
  writeFileSync(train, readFileSync(train).subarray(0, 7)); // half an id at the end
  assert.throws(
    () => readTokenBin(dir, 'train'),
    oneLine(/train\.bin: 7 bytes is not a whole number of uint16/),
  );
  writeFileSync(train, readFileSync(train).subarray(0, 6)); // whole ids, but one missing
  assert.throws(() => readTokenBin(dir, 'train'), oneLine(/holds 3 tokens but meta\.json says 4/));
  writeFileSync(join(dir, 'val.bin'), Uint8Array.from([5, 0, 10, 0])); // id 10 in a vocabulary of 10
  assert.throws(
    () => readTokenBin(dir, 'val'),
    oneLine(/id 10 at position 1 is outside the vocabulary of 10/),
  );
});

test('token files: a missing or malformed meta.json, and an id outside the vocabulary, are clear errors', () => {
  const dir = tmp();
  assert.throws(() => readTokenBin(dir, 'train'), oneLine(/meta\.json: not found/));
  writeFileSync(join(dir, 'meta.json'), '{"format": "nanogpt-bin", "dtype": "int8"}');
  assert.throws(() => readTokenBin(dir, 'train'), oneLine(/"dtype" must be "uint16" or "uint32"/));
  writeFileSync(join(dir, 'meta.json'), '{oops');
  assert.throws(() => readTokenBin(dir, 'train'), oneLine(/meta\.json: not valid JSON/));
  assert.throws(
    () => writeTokenBins(tmp(), { train: [3], val: [], vocabSize: 3, tokenizer: 'x' }),
    oneLine(/id 3 at position 0/),
  );
});

test('tokenize to token files: the ids and the train/val split `llmfs train` makes (last 10% held out)', () => {
  const text = 'the cat sat on the mat. '.repeat(5); // 120 characters, one id each
  const tok = CharTokenizer.fromCorpus(text);
  const dir = tmp();
  const meta = tokenizeToBins(dir, text, tok, { tokenizerName: 'char', valFraction: 0.1 });
  const ids = tok.encode(text);
  assert.equal(ids.length, 120);
  assert.equal(meta.train_tokens, 108); // floor(120 * 0.9)
  assert.deepEqual([...readTokenBin(dir, 'train').tokens], ids.slice(0, 108));
  assert.deepEqual([...readTokenBin(dir, 'val').tokens], ids.slice(108));
  assert.equal(meta.vocab_size, tok.vocabSize);
});

test('llmfs tokenize --out-bin writes the files; a bad --val-fraction is one error line', () => {
  const dir = tmp();
  const file = join(dir, 'text.txt');
  writeFileSync(file, 'hello world, hello tokens');
  const out = join(dir, 'bins');
  const r = llmfs(
    'tokenize',
    '--encoding',
    'gpt2',
    '--file',
    file,
    '--out-bin',
    out,
    '--val-fraction',
    '0.25',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /train\.bin 3 tokens .* val\.bin 2 tokens, uint16 ids, vocabulary 50257/);
  // GPT-2's ids for the text (tiktoken: enc.encode("hello world, hello tokens")).
  assert.deepEqual(
    [...readTokenBin(out, 'train').tokens, ...readTokenBin(out, 'val').tokens],
    [31373, 995, 11, 23748, 16326],
  );
  const bad = llmfs('tokenize', '--file', file, '--out-bin', out, '--val-fraction', '1');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr.trim(), /^error: tokenize: --val-fraction must be in \[0, 1\), got 1$/);
});
