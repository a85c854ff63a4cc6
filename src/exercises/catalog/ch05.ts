// Chapter 5 exercises.

import type { ExerciseSpec } from '../spec.js';

export const chapter5: ExerciseSpec[] = [];
