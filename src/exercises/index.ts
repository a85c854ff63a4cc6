// Checked exercises (portable): the registry of exercisable functions, the exercises themselves,
// and the runner that checks a learner's function. The Node side (compiling a learner's file,
// the worker with time limits, the workspace) is in exercises/node/ and the Node entry.

export {
  exercisable,
  implement,
  restore,
  restoreAll,
  referenceOf,
  withImplementations,
  withReferences,
  exercisableNames,
  isImplemented,
  type ExercisableFunctions,
  type ExercisableName,
} from './registry.js';
export type {
  ExerciseSpec,
  CheckCase,
  CheckRow,
  CheckReport,
  ExtraCheck,
  StepOutcome,
  Tolerance,
  Topic,
  LearnerFn,
} from './spec.js';
export { runExercise, DEFAULT_TOLERANCE, DEFAULT_TIME_LIMIT_MS, type RunHooks } from './run.js';
export { compareValues, type Comparison } from './compare.js';
export {
  EXERCISES,
  PATHS,
  PATH_DESCRIPTIONS,
  exercisesOnPath,
  findExercise,
  exerciseFile,
  type LearningPath,
} from './catalog.js';
