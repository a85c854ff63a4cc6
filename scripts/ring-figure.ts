// Writes chapter 18's picture of the ring all-reduce (src/parallel/ring-svg.ts) for 3 workers.
//   node --import tsx scripts/ring-figure.ts

import { writeFileSync } from 'node:fs';
import { ringAllReduceSvg } from '../src/parallel/ring-svg.js';

const file = new URL('../docs/images/18-ring-all-reduce.svg', import.meta.url);
writeFileSync(file, `${ringAllReduceSvg(3)}\n`);
console.log(`wrote ${file.pathname}`);
