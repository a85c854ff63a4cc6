// The compile worker: type-checks and transpiles one learner file (compile.mjs) while the check
// worker loads the library, so the two costs overlap on two cores.
//
// workerData: { file, outDir, libEntry, libTypes }
// Message out: { type: 'compile-errors', errors } | { type: 'built', moduleFile }
//            | { type: 'fatal', message }

import { parentPort, workerData } from 'node:worker_threads';
import { typeCheck, transpile } from './compile.mjs';

const { file, outDir, libEntry, libTypes } = workerData;
try {
  const errors = typeCheck(file, libTypes);
  if (errors.length > 0) parentPort.postMessage({ type: 'compile-errors', errors });
  else parentPort.postMessage({ type: 'built', moduleFile: transpile(file, outDir, libEntry) });
} catch (e) {
  parentPort.postMessage({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
