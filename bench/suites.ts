// The list of benchmark suites, one file each. Add a suite by importing it here.

import type { Suite } from './harness.js';
import { engineSuite } from './engine.js';
import { tokenizerSuite } from './tokenizer.js';
import { generateSuite } from './generate.js';

export const suites: Suite[] = [engineSuite, tokenizerSuite, generateSuite];
