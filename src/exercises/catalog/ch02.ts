// Chapter 2 exercises.

import type { ExerciseSpec } from '../spec.js';

export const chapter2: ExerciseSpec[] = [];
