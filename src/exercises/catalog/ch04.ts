// Chapter 4 exercises.

import type { ExerciseSpec } from '../spec.js';

export const chapter4: ExerciseSpec[] = [];
