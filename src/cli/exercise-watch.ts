// `llmfs exercise watch`: checks the current exercise, then again on every save of its file
// (debounced), and moves on to the next one when it passes; Ctrl-C ends it.

import { watch } from 'node:fs';
import { relative } from 'node:path';
import { exerciseFile, type ExerciseSpec } from '../exercises/index.js';
import { loadProgress, nextExercise, requireWorkspace, workspaceFile } from '../exercises/node/workspace.js';

const shown = (f: string) => relative(process.cwd(), f) || f;

export async function watchLoop(
  ws: string,
  first: ExerciseSpec | null,
  check: (e: ExerciseSpec) => Promise<{ code: number }>,
): Promise<number> {
  const dir = requireWorkspace(ws);
  let current = first ?? nextExercise(loadProgress(dir));
  if (!current) {
    console.log('every exercise on your path passed');
    return 0;
  }
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (!current) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    console.log(`\n── checking ${current.id} (${new Date().toLocaleTimeString()}) ──`);
    const r = await check(current);
    if (r.code === 0) {
      current = nextExercise(loadProgress(dir));
      if (current)
        console.log(
          `\nnow: ${current.id}, ${current.title}: edit ${shown(workspaceFile(dir, current))} and save`,
        );
      else console.log('\nevery exercise on your path passed!');
    } else
      console.log(
        `\nwatching ${shown(workspaceFile(dir, current))}: save it to check again (Ctrl-C to stop)`,
      );
    running = false;
    if (again) {
      again = false;
      await run();
    }
  };
  await run();
  if (!current) return 0;
  return new Promise<number>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const watcher = watch(dir, (_event, name) => {
      if (!current || !name || String(name) !== exerciseFile(current)) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(
        () =>
          void run().then(() => {
            if (!current) stop();
          }),
        300,
      );
    });
    const stop = () => {
      watcher.close();
      if (timer) clearTimeout(timer);
      process.off('SIGINT', stop);
      resolve(0);
    };
    process.on('SIGINT', stop);
  });
}
