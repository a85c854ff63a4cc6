// `llmfs exercise`: a checked path through every chapter (init, list, check, hint, solution,
// watch). The learner writes one function per exercise in a workspace; `check` compiles it,
// compares it with the library's own function, checks its gradients and runs it inside a tiny
// model (exercises/node/check-file.ts); progress lives in the workspace's .llmfs/progress.json.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from './command.js';
import { parseArgs, helpText, type FlagSpecs } from './args.js';
import { LlmfsError } from '../errors.js';
import {
  EXERCISES,
  PATHS,
  PATH_DESCRIPTIONS,
  exercisesOnPath,
  findExercise,
  exerciseFile,
  type ExerciseSpec,
  type LearningPath,
} from '../exercises/index.js';
import { checkFile } from '../exercises/node/check-file.js';
import {
  DEFAULT_WORKSPACE,
  initWorkspace,
  loadProgress,
  nextExercise,
  recordCheck,
  requireWorkspace,
  saveProgress,
  solutionFile,
  statusOf,
  workspaceFile,
} from '../exercises/node/workspace.js';
import { formatReport } from './exercise-report.js';
import { watchLoop } from './exercise-watch.js';

const workspaceFlag = {
  workspace: { type: 'string', help: 'the exercise workspace', default: DEFAULT_WORKSPACE },
} as const;
const help = { help: { type: 'boolean', help: 'show this help' } } as const;
const pathFlag = {
  path: { type: 'string', help: 'learning path: beginner, advanced or researcher', choices: PATHS },
} as const;

const SUBS: Record<string, { usage: string; about: string; specs: FlagSpecs; positionals: number }> = {
  init: {
    usage: 'llmfs exercise init [DIR] [--path P]',
    about: 'copy the exercise stubs into a workspace (never overwriting your files)',
    specs: { ...pathFlag, ...help },
    positionals: 1,
  },
  list: {
    usage: 'llmfs exercise list [--path P] [--json] [--workspace DIR]',
    about: 'show every exercise with ✓ passed, ✗ failed or · not started',
    specs: {
      ...pathFlag,
      json: { type: 'boolean', help: 'print JSON: {id, chapter, title, file, status} per exercise' },
      ...workspaceFlag,
      ...help,
    },
    positionals: 0,
  },
  check: {
    usage: 'llmfs exercise check [ID] [--json] [--workspace DIR]',
    about: 'check one exercise (default: the next unsolved); exit 0 on pass, 1 on fail',
    specs: { json: { type: 'boolean', help: 'print JSON: {id, passed, checks}' }, ...workspaceFlag, ...help },
    positionals: 1,
  },
  hint: {
    usage: 'llmfs exercise hint [ID] [--workspace DIR]',
    about: 'show the next of several hints',
    specs: { ...workspaceFlag, ...help },
    positionals: 1,
  },
  solution: {
    usage: 'llmfs exercise solution ID [--reveal] [--workspace DIR]',
    about: 'print the reference solution (once your exercise passed, or with --reveal)',
    specs: {
      reveal: { type: 'boolean', help: 'show it even though the exercise has not passed' },
      ...workspaceFlag,
      ...help,
    },
    positionals: 1,
  },
  watch: {
    usage: 'llmfs exercise watch [ID] [--workspace DIR]',
    about: 're-check on every save; moves on to the next exercise when one passes',
    specs: { ...workspaceFlag, ...help },
    positionals: 1,
  },
};

function exerciseById(id: string): ExerciseSpec {
  const e = findExercise(id);
  if (!e) {
    const near = EXERCISES.filter((x) => x.id.includes(id) || id.includes(x.id)).map((x) => x.id);
    const hint =
      near.length > 0 ? `did you mean ${near.slice(0, 3).join(', ')}?` : "see 'llmfs exercise list'";
    throw new LlmfsError(`exercise: no exercise '${id}' (${hint})`);
  }
  return e;
}

const shown = (f: string) => relative(process.cwd(), f) || f;

function init(dir: string | undefined, path: LearningPath | undefined): number {
  const ws = dir ?? DEFAULT_WORKSPACE;
  const r = initWorkspace(ws, path);
  const p = loadProgress(r.dir);
  console.log(
    `workspace ${shown(r.dir)}: ${r.copied.length} exercise files copied` +
      (r.kept.length ? `, ${r.kept.length} of yours kept as they are` : ''),
  );
  console.log(`path: ${p.path} (${PATH_DESCRIPTIONS[p.path]})`);
  const next = nextExercise(p);
  if (next) {
    console.log(
      `\nstart with ${next.id}: open ${shown(workspaceFile(r.dir, next))}, ` +
        `write ${next.exportName}, then run`,
    );
    console.log(`  llmfs exercise check${ws === DEFAULT_WORKSPACE ? '' : ` --workspace ${ws}`}`);
  }
  return 0;
}

function list(ws: string, path: LearningPath | undefined, json: boolean): number {
  const dir = requireWorkspace(ws);
  const p = loadProgress(dir);
  if (path && path !== p.path) saveProgress(dir, { ...p, path });
  const on = path ?? p.path;
  const items = exercisesOnPath(on);
  const next = nextExercise(p, on);
  if (json) {
    const rows = items.map((e) => ({
      id: e.id,
      chapter: e.chapter,
      title: e.title,
      file: workspaceFile(dir, e),
      status: statusOf(p, e.id),
    }));
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  console.log(`path: ${on} (${PATH_DESCRIPTIONS[on]})\n`);
  const w = Math.max(...items.map((e) => exerciseFile(e).length)) + 2;
  for (const e of items) {
    const s = statusOf(p, e.id);
    const m = s === 'passed' ? '✓' : s === 'failed' ? '✗' : '·';
    const arrow = next && e.id === next.id ? '→' : ' ';
    const name = exerciseFile(e);
    console.log(
      `${arrow} ${m} ${name}${' '.repeat(w - name.length)}${e.title}${arrow === '→' ? '   <- next' : ''}`,
    );
  }
  const done = items.filter((e) => statusOf(p, e.id) === 'passed').length;
  console.log(
    `\n${done} of ${items.length} passed.` +
      (next ? ` next: llmfs exercise check ${next.id}` : ' All done on this path!'),
  );
  return 0;
}

async function check(
  ws: string,
  id: string | undefined,
  json: boolean,
): Promise<{ code: number; e: ExerciseSpec | null }> {
  const dir = requireWorkspace(ws);
  const p = loadProgress(dir);
  const e = id ? exerciseById(id) : nextExercise(p);
  if (!e) {
    console.log(
      `every exercise on the ${p.path} path passed; check one by id, ` +
        "or change path with 'llmfs exercise list --path P'",
    );
    return { code: 0, e: null };
  }
  const file = workspaceFile(dir, e);
  let report;
  try {
    readFileSync(file);
    report = await checkFile(e.id, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new LlmfsError(
      `exercise check: ${shown(file)} is missing (run 'llmfs exercise init ${ws}' to copy the stub back)`,
    );
  }
  recordCheck(dir, e.id, report.passed);
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(formatReport(e, shown(file), report));
    if (report.passed) {
      const next = nextExercise(loadProgress(dir));
      console.log(
        next
          ? `  next: ${next.id} (${shown(workspaceFile(dir, next))})`
          : '  that was the last one on your path: well done!',
      );
    }
  }
  return { code: report.passed ? 0 : 1, e };
}

function hint(ws: string, id: string | undefined): number {
  const dir = requireWorkspace(ws);
  const p = loadProgress(dir);
  const e = id ? exerciseById(id) : nextExercise(p);
  if (!e)
    throw new LlmfsError(
      'exercise hint: every exercise on your path passed; name one: llmfs exercise hint ID',
    );
  const prev = p.exercises[e.id];
  const n = Math.min((prev?.hints ?? 0) + 1, e.hints.length);
  p.exercises[e.id] = { ...(prev ?? {}), hints: n } as typeof prev & { hints: number };
  saveProgress(dir, p);
  console.log(`${e.id}, hint ${n} of ${e.hints.length}:\n  ${e.hints[n - 1]}`);
  if (n < e.hints.length) console.log(`\n(run it again for the next hint)`);
  else
    console.log(`\nthat was the last hint; 'llmfs exercise solution ${e.id} --reveal' shows the reference`);
  return 0;
}

function solution(ws: string, id: string | undefined, reveal: boolean): number {
  if (!id)
    throw new LlmfsError('exercise solution: name the exercise: llmfs exercise solution ID [--reveal]');
  const e = exerciseById(id);
  if (!reveal) {
    const dir = requireWorkspace(ws);
    if (statusOf(loadProgress(dir), e.id) !== 'passed')
      throw new LlmfsError(
        `exercise solution: ${e.id} has not passed yet; ` +
          'solve it first, or add --reveal to see the reference now',
      );
  }
  process.stdout.write(readFileSync(solutionFile(e), 'utf8'));
  return 0;
}

function usage(): string {
  const w = Math.max(...Object.keys(SUBS).map((s) => s.length)) + 2;
  const subs = Object.entries(SUBS).map(([n, s]) => `  ${n}${' '.repeat(w - n.length)}${s.about}`);
  return (
    `usage: llmfs exercise <sub-command> [options]\n\nsub-commands:\n${subs.join('\n')}\n\n` +
    `paths: ${PATHS.map((p) => `${p} (${PATH_DESCRIPTIONS[p]})`).join('; ')}\n` +
    `start here: docs/00-start-here.md`
  );
}

export const exerciseCommand: Command = {
  summary: 'checked exercises: llmfs exercise init, list, check [ID], hint, solution, watch',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      console.log(usage());
      return 0;
    }
    const s = SUBS[sub];
    if (!s)
      throw new LlmfsError(
        `exercise: unknown sub-command '${sub}' (one of: ${Object.keys(SUBS).join(', ')})`,
      );
    const { flags, positionals } = parseArgs(`exercise ${sub}`, rest, s.specs, {
      positionals: s.positionals > 0,
    });
    if (flags.help) {
      console.log(helpText(s.usage, s.about, s.specs));
      return 0;
    }
    if (positionals.length > s.positionals)
      throw new LlmfsError(
        `exercise ${sub}: unexpected argument '${positionals[s.positionals]}' (usage: ${s.usage})`,
      );
    const ws = String(flags.workspace ?? DEFAULT_WORKSPACE);
    const [arg] = positionals;
    switch (sub) {
      case 'init':
        return init(arg, flags.path as LearningPath | undefined);
      case 'list':
        return list(ws, flags.path as LearningPath | undefined, Boolean(flags.json));
      case 'check':
        return (await check(ws, arg, Boolean(flags.json))).code;
      case 'hint':
        return hint(ws, arg);
      case 'solution':
        return solution(ws, arg, Boolean(flags.reveal));
      default:
        return watchLoop(ws, arg ? exerciseById(arg) : null, (e) => check(ws, e.id, false));
    }
  },
};
