// Chapter 7 exercises.

import type { ExerciseSpec } from '../spec.js';

export const chapter7: ExerciseSpec[] = [];
