// Where the running library is, for code compiled from a learner's file: in this repository the
// TypeScript sources run through tsx (src/index.ts); in an installed package the built JavaScript
// (dist/index.js, typed by dist/index.d.ts). The learner's `import ... from 'llm-from-scratch'`
// is pointed at the same file, so their code and the checker share one copy of the library.

import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** Whether this module runs from the TypeScript sources (through tsx) rather than dist/. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The portable entry point's file (src/index.ts or dist/index.js). */
export const LIBRARY_ENTRY = join(here, '..', '..', FROM_SOURCE ? 'index.ts' : 'index.js');
/** What the type checker reads for 'llm-from-scratch'. */
export const LIBRARY_TYPES = join(here, '..', '..', FROM_SOURCE ? 'index.ts' : 'index.d.ts');
/** The package's root folder (where exercises/ with the stubs and solutions is). */
export const PACKAGE_ROOT = join(here, '..', '..', '..');
export const STUBS_DIR = join(PACKAGE_ROOT, 'exercises', 'stubs');
export const SOLUTIONS_DIR = join(PACKAGE_ROOT, 'exercises', 'solutions');
/** The worker that runs one check (plain JavaScript, copied beside the built files). */
export const CHECK_WORKER = join(here, 'check-worker.mjs');
/** The worker that type-checks and transpiles the learner's file meanwhile. */
export const COMPILE_WORKER = join(here, 'compile-worker.mjs');
