// Every exercise, in chapter order (the beginner path), and the three learning paths over them.
// Each chapter's exercises live in catalog/chNN.ts; the learner's stub and the reference solution
// are exercises/stubs/NN-ID.ts and exercises/solutions/NN-ID.ts.

import type { ExerciseSpec, Topic } from './spec.js';
import { chapter1 } from './catalog/ch01.js';
import { chapter2 } from './catalog/ch02.js';
import { chapter3 } from './catalog/ch03.js';
import { chapter4 } from './catalog/ch04.js';
import { chapter5 } from './catalog/ch05.js';
import { chapter6 } from './catalog/ch06.js';
import { chapter7 } from './catalog/ch07.js';
import { chapter8 } from './catalog/ch08.js';
import { chapter9 } from './catalog/ch09.js';
import { chapter10 } from './catalog/ch10.js';
import { chapter11 } from './catalog/ch11.js';
import { chapter12 } from './catalog/ch12.js';
import { chapter13 } from './catalog/ch13.js';
import { chapter14 } from './catalog/ch14.js';
import { chapter15 } from './catalog/ch15.js';
import { chapter16 } from './catalog/ch16.js';
import { chapter17 } from './catalog/ch17.js';
import { chapter18 } from './catalog/ch18.js';
import { chapter19 } from './catalog/ch19.js';

export const EXERCISES: readonly ExerciseSpec[] = [
  ...chapter1,
  ...chapter2,
  ...chapter3,
  ...chapter4,
  ...chapter5,
  ...chapter6,
  ...chapter7,
  ...chapter8,
  ...chapter9,
  ...chapter10,
  ...chapter11,
  ...chapter12,
  ...chapter13,
  ...chapter14,
  ...chapter15,
  ...chapter16,
  ...chapter17,
  ...chapter18,
  ...chapter19,
];

export const PATHS = ['beginner', 'advanced', 'researcher'] as const;
export type LearningPath = (typeof PATHS)[number];

/** What each path is for, shown by `llmfs exercise list --path P`. */
export const PATH_DESCRIPTIONS: Record<LearningPath, string> = {
  beginner: 'every exercise, in chapter order',
  advanced:
    'attention, training and speed first (the KV cache, the matmul kernel): the parts that decide ' +
    'quality and speed; then the rest',
  researcher:
    'the parts that differ between implementations (norms, positions, schedules, sampling), ' +
    'each with a note comparing PyTorch and Hugging Face',
};

const FIRST_FOR_ADVANCED: readonly Topic[] = [
  'attention',
  'training',
  'schedules',
  'inference',
  'performance',
];
const RESEARCHER_TOPICS: readonly Topic[] = ['norms', 'positions', 'schedules', 'sampling'];

/** The exercises of `path`, in the order the path takes them. */
export function exercisesOnPath(path: LearningPath): ExerciseSpec[] {
  if (path === 'beginner') return [...EXERCISES];
  if (path === 'advanced') {
    const first = EXERCISES.filter((e) => e.topics.some((t) => FIRST_FOR_ADVANCED.includes(t)));
    return [...first, ...EXERCISES.filter((e) => !first.includes(e))];
  }
  return EXERCISES.filter((e) => e.compare && e.topics.some((t) => RESEARCHER_TOPICS.includes(t)));
}

export function findExercise(id: string): ExerciseSpec | undefined {
  return EXERCISES.find((e) => e.id === id);
}

/** The workspace / stub / solution file name of an exercise: '01-mul-backward.ts'. */
export function exerciseFile(e: ExerciseSpec): string {
  return `${String(e.chapter).padStart(2, '0')}-${e.id}.ts`;
}
