import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'llmfs.mjs');
const llmfs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('cli: tokenize --encoding gpt2 --json prints GPT-2 ids and pieces', () => {
  const r = llmfs('tokenize', '--encoding', 'gpt2', '--text', 'Hello world', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    encoding: 'gpt2',
    vocabSize: 50257,
    ids: [15496, 995],
    pieces: ['Hello', ' world'],
  });
});

test('cli: tokenizer train writes files that tokenize --encoding DIR then loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-cli-'));
  try {
    const data = join(dir, 'data.txt');
    writeFileSync(data, 'the cat sat on the mat, the cat ate the rat. '.repeat(40));
    const out = join(dir, 'tok');
    const train = llmfs('tokenizer', 'train', '--data', data, '--vocab-size', '270', '--out', out);
    assert.equal(train.status, 0, train.stderr);
    assert.match(train.stdout, /trained 270 tokens \(256 bytes \+ 13 merges \+ 1 special\)/);
    assert.match(train.stderr, /merges \[#+\] 13\/13 100%/, 'progress lines when stderr is not a terminal');
    assert.deepEqual(readdirSync(out).sort(), ['merges.txt', 'tokenizer.json', 'vocab.json']);
    const tok = llmfs('tokenize', '--encoding', out, '--text', 'the cat<|endoftext|>', '--allow-special');
    assert.equal(tok.status, 0, tok.stderr);
    assert.match(tok.stdout, /^3 tokens for 20 characters/);
    assert.match(tok.stdout, /269 {2}"<\|endoftext\|>"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: a bad merges.txt is one error line naming the file and line, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-cli-'));
  try {
    writeFileSync(join(dir, 'vocab.json'), '{"a": 0}');
    writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\na b c\n');
    const r = llmfs('tokenize', '--encoding', dir, '--text', 'x');
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr.trim(),
      `error: ${join(dir, 'merges.txt')}:2: expected two tokens separated by one space, got "a b c"`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: --encoding char builds its vocabulary from the default corpus', () => {
  const r = llmfs('tokenize', '--encoding', 'char', '--text', 'Union', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).pieces, ['U', 'n', 'i', 'o', 'n']);
  const bad = llmfs('tokenize', '--encoding', 'char', '--text', '日');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error: char tokenizer: character "日" \(U\+65E5\)/);
});
