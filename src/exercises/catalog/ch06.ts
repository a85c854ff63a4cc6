// Chapter 6 exercises.

import type { ExerciseSpec } from '../spec.js';

export const chapter6: ExerciseSpec[] = [];
