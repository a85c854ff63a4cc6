// Checkpoint directories and atomic writes: round trips, clear errors for missing or corrupt
// files, and crash safety proven by SIGKILLing a child process in the middle of writing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { atomicWriteFile, loadCheckpointDir, saveCheckpointDir } from '../../src/io/checkpoint-dir.js';
import {
  openSafetensorsFile,
  readSafetensorsFile,
  writeSafetensorsFile,
} from '../../src/io/safetensors-file.js';

const CHILD = new URL('./kill-child.ts', import.meta.url).pathname;

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-io-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const weights = (v: number): Record<string, Tensor> => ({
  'h.0.mlp.c_fc.weight': new Tensor(new Float32Array(12).fill(v), [3, 4]),
  'ln_f.weight': new Tensor(new Float32Array(4).fill(-v), [4]),
});

/** Runs the kill-child in `mode`, SIGKILLs it `delayMs` after it prints `signal`; resolves with its output. */
function runAndKill(mode: string, path: string, signal: string, delayMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!armed && out.includes(signal)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, sig) =>
      sig === 'SIGKILL' ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

test('checkpoint dir: weights, config, metadata and extra files round-trip', (t) => {
  const dir = join(scratch(t), 'run', 'ckpt');
  saveCheckpointDir(dir, {
    weights: weights(2),
    config: { n_layer: 1, name: 'tiny' },
    extraFiles: { 'tokenizer.json': '{}', training_state: new Uint8Array([1, 2]) },
    metadata: { step: '10' },
  });
  const ck = loadCheckpointDir(dir);
  assert.deepEqual(ck.config, { n_layer: 1, name: 'tiny' });
  assert.deepEqual(ck.metadata, { step: '10' });
  assert.deepEqual(ck.files, ['config.json', 'model.safetensors', 'tokenizer.json', 'training_state']);
  assert.deepEqual(Array.from(ck.weights['ln_f.weight'].data), [-2, -2, -2, -2]);
  assert.deepEqual(ck.weights['h.0.mlp.c_fc.weight'].shape, [3, 4]);
});

test('checkpoint dir: saving over a checkpoint replaces it and keeps files the save does not write', (t) => {
  const dir = join(scratch(t), 'ckpt');
  saveCheckpointDir(dir, { weights: weights(1), config: { v: 1 } });
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  saveCheckpointDir(dir, { weights: weights(2), config: { v: 2 } });
  const ck = loadCheckpointDir(dir);
  assert.deepEqual(ck.config, { v: 2 });
  assert.equal(ck.weights['ln_f.weight'].data[0], -2);
  assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
  assert.deepEqual(readdirSync(join(dir, '..')), ['ckpt']);
});

test('checkpoint dir: a save killed between its renames leaves <dir>.previous, which loads and is restored', (t) => {
  const dir = join(scratch(t), 'ckpt');
  saveCheckpointDir(dir, { weights: weights(1), config: { v: 1 } });
  rmSync(`${dir}.previous`, { recursive: true, force: true });
  // Simulate the state just after step 2 of a save: old dir moved aside, new one not yet in place.
  writeFileSync(join(dir, 'x'), '');
  mkdirSync(`${dir}.saving`);
  renameSync(dir, `${dir}.previous`);
  assert.deepEqual(loadCheckpointDir(dir).config, { v: 1 });
  saveCheckpointDir(dir, { weights: weights(3), config: { v: 3 } });
  assert.deepEqual(loadCheckpointDir(dir).config, { v: 3 });
  assert.ok(existsSync(join(dir, 'x')));
  assert.ok(!existsSync(`${dir}.previous`) && !existsSync(`${dir}.saving`));
});

/** Asserts that `fn` throws an LlmfsError whose message is exactly `message`. */
function throwsExactly(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) =>
    err instanceof LlmfsError && err.message === message ? true : assert.fail(`got: ${String(err)}`),
  );
}

test('checkpoint dir: missing and corrupt files give one clear error naming the directory and file', (t) => {
  const root = scratch(t);
  const dir = join(root, 'x');
  throwsExactly(() => loadCheckpointDir(dir), `checkpoint ${dir}: directory not found`);
  saveCheckpointDir(dir, { weights: weights(1), config: { v: 1 } });

  writeFileSync(join(dir, 'config.json'), '{"v": 1,');
  assert.throws(() => loadCheckpointDir(dir), /^LlmfsError: checkpoint .*x: config\.json: not valid JSON \(/);
  writeFileSync(join(dir, 'config.json'), '[1]');
  throwsExactly(() => loadCheckpointDir(dir), `checkpoint ${dir}: config.json: must hold a JSON object`);
  rmSync(join(dir, 'config.json'));
  throwsExactly(() => loadCheckpointDir(dir), `checkpoint ${dir}: config.json: file not found`);

  const weightsPath = join(dir, 'model.safetensors');
  const bytes = readFileSync(weightsPath);
  bytes.writeUInt32LE(999999, 0);
  writeFileSync(weightsPath, bytes);
  throwsExactly(
    () => loadCheckpointDir(dir),
    `checkpoint ${dir}: model.safetensors: header length 999999 exceeds file size ${bytes.length}`,
  );
  truncateSync(weightsPath, 3);
  throwsExactly(
    () => loadCheckpointDir(dir),
    `checkpoint ${dir}: model.safetensors: file is 3 bytes, too short for the 8-byte header length`,
  );
  rmSync(weightsPath);
  throwsExactly(() => loadCheckpointDir(dir), `checkpoint ${dir}: model.safetensors: file not found`);
  writeFileSync(join(root, 'file'), '');
  throwsExactly(
    () => loadCheckpointDir(join(root, 'file')),
    `checkpoint ${join(root, 'file')}: is not a directory`,
  );
});

test('checkpoint dir: extra file names must be plain names, and sub-directories are refused', (t) => {
  const dir = join(scratch(t), 'c');
  assert.throws(
    () => saveCheckpointDir(dir, { weights: {}, config: {}, extraFiles: { '../evil': 'x' } }),
    /extra file name "..\/evil" is not allowed/,
  );
  assert.throws(
    () => saveCheckpointDir(dir, { weights: {}, config: {}, extraFiles: { 'config.json': 'x' } }),
    /not allowed/,
  );
  mkdirSync(join(dir, 'sub'), { recursive: true });
  assert.throws(
    () => saveCheckpointDir(dir, { weights: {}, config: {} }),
    /holds "sub", which is not a plain file/,
  );
});

test('safetensors files: the lazy reader validates the header first and reads only the tensors asked for', (t) => {
  const path = join(scratch(t), 'm.safetensors');
  writeSafetensorsFile(path, weights(5), { format: 'pt' });
  const reader = openSafetensorsFile(path);
  assert.deepEqual(reader.metadata, { format: 'pt' });
  assert.deepEqual(
    reader.tensors.map((x) => [x.name, x.dtype, x.shape]),
    [
      ['h.0.mlp.c_fc.weight', 'F32', [3, 4]],
      ['ln_f.weight', 'F32', [4]],
    ],
  );
  assert.deepEqual(Array.from(reader.read('ln_f.weight').data), [-5, -5, -5, -5]);
  assert.throws(() => reader.read('nope'), /m\.safetensors: no tensor named "nope"/);
  reader.close();
  assert.throws(() => reader.read('ln_f.weight'), /after close/);
  assert.deepEqual(readSafetensorsFile(path).tensors['h.0.mlp.c_fc.weight'].data[11], 5);
  assert.throws(
    () => readSafetensorsFile(join(path, '..', 'none.safetensors')),
    /none\.safetensors: file not found$/,
  );
});

test('atomicWriteFile: replaces a file and leaves no temporary file behind', (t) => {
  const dir = scratch(t);
  const path = join(dir, 'f.txt');
  atomicWriteFile(path, 'one');
  atomicWriteFile(path, [new Uint8Array([116, 119]), new Uint8Array([111])]);
  assert.equal(readFileSync(path, 'utf8'), 'two');
  assert.deepEqual(readdirSync(dir), ['f.txt']);
  assert.throws(
    () => atomicWriteFile(join(dir, 'no', 'such', 'dir'), 'x'),
    /no\/such\/dir: cannot write file \(ENOENT\)/,
  );
});

test('atomicWriteFile: a process SIGKILLed mid-write leaves the previous file intact and loadable', async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'model.safetensors');
  writeSafetensorsFile(path, weights(7));
  const before = readFileSync(path);
  await runAndKill('atomic', path, 'writing', 30);
  assert.deepEqual(readFileSync(path), before);
  assert.equal(readSafetensorsFile(path).tensors['ln_f.weight'].data[0], -7);
  const leftovers = readdirSync(dir).filter((f) => f !== 'model.safetensors');
  assert.equal(leftovers.length, 1, 'the killed write leaves its temporary file (proof it was mid-write)');
  assert.match(leftovers[0], /^\.model\.safetensors\.\d+\.\w+\.tmp$/);
});

test('checkpoint dir: a saving process SIGKILLed at random moments always leaves a complete, consistent checkpoint', async (t) => {
  const dir = join(scratch(t), 'ckpt');
  saveCheckpointDir(dir, {
    weights: weights(0),
    config: { version: 0 },
    extraFiles: { training_state: '0' },
  });
  const kills: string[] = [];
  let prev = 0;
  for (const delay of [0, 15, 40, 90, 160]) {
    const out = await runAndKill('ckpt', dir, 'ready', delay);
    const ck = loadCheckpointDir(dir);
    const v = ck.config.version as number;
    const saved = out.match(/saved \d+/g)?.length ?? 0;
    // Each child counts from version 1: a child killed before its first save leaves the last one's.
    const ok = v === prev || (v >= 1 && v <= saved + 1);
    assert.ok(ok, `version ${v} after ${saved} completed saves (the previous child left ${prev})`);
    prev = v;
    if (v > 0) {
      assert.equal(ck.weights.w.data[0], v);
      assert.equal(ck.weights.w.data[(1 << 18) - 1], v);
    }
    assert.equal(readFileSync(join(ck.dir, 'training_state'), 'utf8'), String(v));
    kills.push(
      `${delay} ms: ${saved} saves done, loaded version ${v}${ck.dir.endsWith('.previous') ? ' from .previous' : ''}`,
    );
  }
  console.log(`# kills: ${kills.join('; ')}`);
  saveCheckpointDir(dir, { weights: weights(9), config: { version: 9 } });
  assert.equal(loadCheckpointDir(dir).config.version, 9);
});
