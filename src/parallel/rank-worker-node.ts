// The worker thread of one data-parallel rank (Node): installs the wasm backend with ONE gemm
// thread (the ranks are the parallelism: one core each), or keeps the reference kernels when
// LLMFS_BACKEND=js or WebAssembly SIMD is missing, then runs rank-loop.ts. A failure marks the
// group failed (waking the other ranks) and is reported to the coordinator.

import { parentPort } from 'node:worker_threads';
import { useFastBackend } from '../kernels/threads/node.js';
import { LlmfsError } from '../errors.js';
import { GroupAbortedError, markFailed } from './group.js';
import { NonFiniteLossError, runRank } from './rank-loop.js';
import type { FromRank, RankInit } from './messages.js';

const port = parentPort!;
const post = (m: FromRank) => port.postMessage(m);

port.once('message', (init: RankInit) => {
  void (async () => {
    try {
      if ((process.env.LLMFS_BACKEND ?? 'wasm').toLowerCase() !== 'js') await useFastBackend({ threads: 1 });
      runRank(init, { post, die: () => process.exit(70) });
    } catch (err) {
      markFailed(init.group, init.rank);
      const e = err instanceof Error ? err : new Error(String(err));
      post({
        type: 'error',
        rank: init.rank,
        message: e.message,
        kind:
          e instanceof GroupAbortedError
            ? 'aborted'
            : e instanceof NonFiniteLossError
              ? 'loss'
              : e instanceof LlmfsError
                ? 'user'
                : 'bug',
      });
    }
  })();
});
