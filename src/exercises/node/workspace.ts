// A learner's exercise workspace: a folder with one file per exercise (copied from the stubs,
// never overwriting the learner's), a tsconfig.json so an editor resolves 'llm-from-scratch', and
// .llmfs/progress.json: which exercises passed or failed, and how many hints were shown.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { atomicWriteFile, makeDirs } from '../../io/atomic-write.js';
import { LlmfsError } from '../../errors.js';
import { EXERCISES, exerciseFile, exercisesOnPath, PATHS, type LearningPath } from '../catalog.js';
import type { ExerciseSpec } from '../spec.js';
import { LIBRARY_TYPES, STUBS_DIR, SOLUTIONS_DIR } from './library.js';

export const DEFAULT_WORKSPACE = 'llmfs-exercises';

export type ExerciseStatus = 'passed' | 'failed' | 'not started';

export interface ExerciseProgress {
  status: 'passed' | 'failed';
  /** Hints shown so far. */
  hints?: number;
  /** When it was last checked (ISO 8601). */
  checkedAt?: string;
}

export interface Progress {
  version: 1;
  /** The learning path `list` and `check` follow. */
  path: LearningPath;
  exercises: Record<string, ExerciseProgress | { hints: number }>;
}

const progressFile = (ws: string) => join(ws, '.llmfs', 'progress.json');

export function stubFile(e: ExerciseSpec): string {
  return join(STUBS_DIR, exerciseFile(e));
}

export function solutionFile(e: ExerciseSpec): string {
  return join(SOLUTIONS_DIR, exerciseFile(e));
}

export function workspaceFile(ws: string, e: ExerciseSpec): string {
  return join(resolve(ws), exerciseFile(e));
}

/** Fails with one line unless `ws` is an initialised workspace. */
export function requireWorkspace(ws: string): string {
  const dir = resolve(ws);
  if (!existsSync(progressFile(dir)))
    throw new LlmfsError(
      `exercise: ${relative(process.cwd(), dir) || '.'} is not an exercise workspace ` +
        `(run 'llmfs exercise init ${ws}' first, or pass --workspace DIR)`,
    );
  return dir;
}

export function loadProgress(ws: string): Progress {
  const f = progressFile(ws);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(f, 'utf8'));
  } catch (e) {
    throw new LlmfsError(
      `exercise: ${f} is not valid JSON (${e instanceof Error ? e.message : e}); ` +
        'delete it to start the progress afresh',
    );
  }
  const p = raw as Partial<Progress>;
  if (!p || typeof p !== 'object' || typeof p.exercises !== 'object' || p.exercises === null)
    throw new LlmfsError(`exercise: ${f} is not a progress file; delete it to start the progress afresh`);
  const path = PATHS.includes(p.path as LearningPath) ? (p.path as LearningPath) : 'beginner';
  return { version: 1, path, exercises: p.exercises };
}

export function saveProgress(ws: string, p: Progress): void {
  atomicWriteFile(progressFile(ws), JSON.stringify(p, null, 2) + '\n');
}

export function statusOf(p: Progress, id: string): ExerciseStatus {
  const e = p.exercises[id];
  return e && 'status' in e ? e.status : 'not started';
}

export function recordCheck(ws: string, id: string, passed: boolean): void {
  const p = loadProgress(ws);
  const prev = p.exercises[id] ?? {};
  p.exercises[id] = { ...prev, status: passed ? 'passed' : 'failed', checkedAt: new Date().toISOString() };
  saveProgress(ws, p);
}

/** The first exercise on the path that has not passed, or null when all have. */
export function nextExercise(p: Progress, path: LearningPath = p.path): ExerciseSpec | null {
  return exercisesOnPath(path).find((e) => statusOf(p, e.id) !== 'passed') ?? null;
}

export interface InitResult {
  dir: string;
  copied: string[];
  kept: string[];
}

/** Creates (or completes) a workspace: copies each missing stub, never touching existing files. */
export function initWorkspace(ws: string, path?: LearningPath): InitResult {
  const dir = resolve(ws);
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new LlmfsError(`exercise init: ${ws} exists and is not a folder`);
  makeDirs(join(dir, '.llmfs'), 'exercise init: workspace');
  const copied: string[] = [];
  const kept: string[] = [];
  for (const e of EXERCISES) {
    const to = workspaceFile(dir, e);
    if (existsSync(to)) kept.push(exerciseFile(e));
    else {
      atomicWriteFile(to, readFileSync(stubFile(e)));
      copied.push(exerciseFile(e));
    }
  }
  const tsconfig = join(dir, 'tsconfig.json');
  if (!existsSync(tsconfig)) {
    const config = {
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        strict: true,
        noImplicitAny: false,
        skipLibCheck: true,
        noEmit: true,
        paths: { 'llm-from-scratch': [LIBRARY_TYPES] },
      },
      include: ['*.ts'],
    };
    atomicWriteFile(tsconfig, JSON.stringify(config, null, 2) + '\n');
  }
  if (!existsSync(progressFile(dir)))
    saveProgress(dir, { version: 1, path: path ?? 'beginner', exercises: {} });
  else if (path) saveProgress(dir, { ...loadProgress(dir), path });
  return { dir, copied, kept };
}
