// A child process for the crash tests in checkpoint-dir.test.ts, meant to be killed with SIGKILL
// mid-write. Modes:
//   atomic <path>  writes a large file through atomicWriteFile, slowly, printing "writing" once begun
//   ckpt <dir>     saves checkpoint versions 1, 2, 3, ... to <dir> forever, printing "ready" first

import { atomicWriteFile, saveCheckpointDir } from '../../src/io/checkpoint-dir.js';
import { Tensor } from '../../src/tensor/tensor.js';

const [mode, path] = process.argv.slice(2);
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

if (mode === 'atomic') {
  function* chunks(): Generator<Uint8Array> {
    for (let i = 0; i < 100000; i++) {
      yield new Uint8Array(1 << 20).fill(i & 0xff);
      if (i === 2) process.stdout.write('writing\n');
      sleep(2);
    }
  }
  atomicWriteFile(path, chunks());
} else if (mode === 'ckpt') {
  process.stdout.write('ready\n');
  for (let v = 1; ; v++) {
    const weights = {
      w: new Tensor(new Float32Array(1 << 18).fill(v), [512, 512]),
      b: new Tensor(new Float32Array(512).fill(v), [512]),
    };
    saveCheckpointDir(path, { weights, config: { version: v }, extraFiles: { training_state: String(v) } });
    process.stdout.write(`saved ${v}\n`);
  }
}
