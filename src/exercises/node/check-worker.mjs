// The check worker: loads the library (while the compile worker type-checks the learner's file),
// then, given the compiled module, imports it and runs the exercise's checks (runExercise),
// posting a message before each check so the main thread can stop a function that never returns
// (a worker thread can be terminated mid-loop; a function call cannot). Plain JavaScript; in the
// repository it registers tsx to import the library's TypeScript sources.
//
// workerData: { id, file, libEntry, tsx (URL of tsx's API, or null) }
// Messages in: { moduleFile }
// Messages out: { type: 'ready' } | { type: 'start', kind, name, limitMs } | { type: 'load-error', message }
//             | { type: 'report', report } | { type: 'fatal', message }

import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { id, file, libEntry, tsx } = workerData;
const post = (m) => parentPort.postMessage(m);

/** The first stack frame in the learner's file, as 'NN-id.ts:12:7', or ''. */
function whereInLearnerFile(e) {
  const stack = e instanceof Error ? String(e.stack ?? '') : '';
  const name = file.split(/[\\/]/).pop();
  // Source-mapped frames name the file as a path or as a file: URL.
  for (const where of [pathToFileURL(file).href, file]) {
    for (const line of stack.split('\n')) {
      const i = line.indexOf(where);
      const m = i >= 0 ? /^:(\d+):(\d+)/.exec(line.slice(i + where.length)) : null;
      if (m) return `${name}:${m[1]}:${m[2]}`;
    }
  }
  return '';
}

function describeError(e) {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : `the value ${String(e)}`;
  const at = whereInLearnerFile(e);
  return at ? `${what} (at ${at})` : what;
}

try {
  process.setSourceMapsEnabled(true);
  if (tsx) (await import(tsx)).register();
  const lib = await import(pathToFileURL(libEntry).href);
  const spec = lib.findExercise(id);
  if (!spec) throw new Error(`unknown exercise '${id}'`);
  post({ type: 'ready' });
  const { moduleFile } = await new Promise((resolve) => parentPort.once('message', resolve));
  post({ type: 'start', kind: 'export', name: 'load your file', limitMs: spec.timeLimitMs ?? 4000 });
  let mod = null;
  try {
    mod = await import(pathToFileURL(moduleFile).href);
  } catch (e) {
    post({ type: 'load-error', message: `loading your file threw ${describeError(e)}` });
  }
  const fn = mod?.[spec.exportName];
  if (mod && typeof fn !== 'function') {
    const names = Object.keys(mod);
    const found = names.length > 0 ? ` (it exports: ${names.join(', ')})` : ' (it exports nothing)';
    post({
      type: 'load-error',
      message: `your file does not export a function named '${spec.exportName}'${found}`,
    });
  } else if (mod) {
    const report = lib.runExercise(spec, fn, {
      onStart: (row, limitMs) => post({ type: 'start', kind: row.kind, name: row.name, limitMs }),
      describeError,
    });
    post({ type: 'report', report });
  }
} catch (e) {
  post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
