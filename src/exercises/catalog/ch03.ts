// Chapter 3 exercises.

import type { ExerciseSpec } from '../spec.js';

export const chapter3: ExerciseSpec[] = [];
