// Property test: 12,000 mutated tokenizer and config files (vocab.json, merges.txt, our
// tokenizer.json for BPE and char, HF config.json) go to the loaders. Each must load correctly
// or throw LlmfsError: never another exception, a hang, or a huge allocation. Replay by seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { bpeFromHf } from '../../src/tokenizer/hf-format.js';
import { tokenizerFromJson, tokenizerToJson } from '../../src/tokenizer/json-format.js';
import { parseJson } from '../../src/tokenizer/json-parse.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import type { Tokenizer } from '../../src/tokenizer/types.js';
import { gptFromHf, type TensorSource } from '../../src/io/hf-gpt2.js';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { loadTokenizer } from '../../src/io/tokenizer-files.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { editJson, editLines, editText, prng, type Rand } from './mutate.js';
import { tempDir, TINY } from './helpers.js';

const CASES = 12000;
const FILE_EVERY = 40; // also run every 40th case through the file loaders
const SAMPLE = "The cat sat on the mat. Café: 3 euros! 🙂\n  Isn't it? <|endoftext|> x\u0000y";

const vocabJson = readFileSync(join(TINY, 'vocab.json'), 'utf8');
const mergesTxt = readFileSync(join(TINY, 'merges.txt'), 'utf8');
const configJson = readFileSync(join(TINY, 'config.json'), 'utf8');
const bpeJson = tokenizerToJson(bpeFromHf({ vocabJson, mergesTxt }));
const charJson = tokenizerToJson(CharTokenizer.fromCorpus(SAMPLE, 'unk'));
const weights = readSafetensorsFile(join(TINY, 'model.safetensors')).tensors;
const source: TensorSource = {
  tensors: Object.entries(weights).map(([name, t]) => ({ name, shape: t.shape })),
  read: (n) => weights[n],
};

type Kind = 'vocab.json' | 'merges.txt' | 'tokenizer.json (bpe)' | 'tokenizer.json (char)' | 'config.json';
const KINDS: Kind[] = [
  'vocab.json',
  'merges.txt',
  'tokenizer.json (bpe)',
  'tokenizer.json (char)',
  'config.json',
];

function mutate(text: string, r: Rand, edit: (t: string, r: Rand) => string): string {
  for (let n = 1 + r.int(3); n > 0; n--) text = r.next() < 0.7 ? edit(text, r) : editText(text, r);
  return text;
}

/** A loaded tokenizer must work: ids in range, and byte-level BPE round-trips any text. */
function checkTokenizer(tok: Tokenizer): void {
  const ids = tok.encode(SAMPLE);
  for (const id of ids)
    assert.ok(Number.isInteger(id) && id >= 0 && id < tok.vocabSize, `id ${id} out of range`);
  if (tok.kind === 'bpe') assert.equal(tok.decode(ids), SAMPLE, 'byte-level BPE must round-trip');
  for (const id of ids.slice(0, 5)) tok.piece(id);
}

function runCase(seed: number, kind: Kind, viaFiles: boolean): void {
  const r = prng(seed);
  let dir = '';
  if (viaFiles) dir = tempDir('fuzz');
  if (kind === 'vocab.json' || kind === 'merges.txt') {
    const files = { vocabJson, mergesTxt };
    if (kind === 'vocab.json') files.vocabJson = mutate(vocabJson, r, editJson);
    else files.mergesTxt = mutate(mergesTxt, r, editLines);
    if (!viaFiles) return checkTokenizer(bpeFromHf(files));
    writeFileSync(join(dir, 'vocab.json'), files.vocabJson);
    writeFileSync(join(dir, 'merges.txt'), files.mergesTxt);
    return checkTokenizer(loadTokenizer(dir));
  }
  if (kind === 'config.json') {
    const text = mutate(configJson, r, editJson);
    const model = viaFiles ? loadViaDir(dir, text) : gptFromHf(parseJson(text, 'config.json'), source);
    const V = model.config.vocabSize;
    const logits = noGrad(() => model.forward(tensor([[0, 1 % V, 2 % V]])).logits);
    assert.deepEqual(logits.shape, [1, 3, V]);
    assert.ok(logits.data.every(Number.isFinite), 'finite logits');
    return;
  }
  const text = mutate(kind === 'tokenizer.json (bpe)' ? bpeJson : charJson, r, editJson);
  if (!viaFiles) return checkTokenizer(tokenizerFromJson(text));
  writeFileSync(join(dir, 'tokenizer.json'), text);
  return checkTokenizer(loadTokenizer(join(dir, 'tokenizer.json')));
}

function loadViaDir(dir: string, config: string) {
  writeFileSync(join(dir, 'config.json'), config);
  for (const f of ['model.safetensors', 'vocab.json', 'merges.txt'])
    writeFileSync(join(dir, f), readFileSync(join(TINY, f)));
  return loadPretrained(dir).model;
}

test(`fuzz: ${CASES} mutated tokenizer and config files load correctly or throw LlmfsError`, (t) => {
  const start = performance.now();
  const loaded = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
  let slowest = 0;
  for (let seed = 0; seed < CASES; seed++) {
    const kind = KINDS[seed % KINDS.length];
    const t0 = performance.now();
    try {
      runCase(seed, kind, seed % FILE_EVERY === 0);
      loaded.set(kind, loaded.get(kind)! + 1);
    } catch (err) {
      if (!(err instanceof LlmfsError)) {
        assert.fail(
          `seed ${seed} (${kind}): ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
        );
      }
      assert.ok(
        !err.message.includes('\n') && err.message.length < 12000,
        `seed ${seed}: error is not one bounded line: ${err.message.slice(0, 300)}`,
      );
    }
    slowest = Math.max(slowest, performance.now() - t0);
  }
  const secs = (performance.now() - start) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  t.diagnostic(
    `${CASES} cases in ${secs.toFixed(1)} s; loaded: ${[...loaded].map(([k, n]) => `${k} ${n}`).join(', ')}; slowest ${slowest.toFixed(0)} ms; peak RSS ${peakMb.toFixed(0)} MB`,
  );
  assert.ok(slowest < 2000, `a case took ${slowest} ms`);
  assert.ok(peakMb < 1500, `peak RSS ${peakMb} MB`);
  for (const k of KINDS)
    assert.ok(loaded.get(k)! > 20, `too few ${k} cases loaded: mutations too destructive`);
});
