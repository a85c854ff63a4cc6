// Chapter 8 exercises.

import type { ExerciseSpec } from '../spec.js';

export const chapter8: ExerciseSpec[] = [];
