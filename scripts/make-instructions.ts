// Writes the bundled instruction set: data/instructions/train.json and heldout.json (Alpaca
// JSON with a `task` field), 600 examples per task from seed 14, 50 per task held out by seed 7;
// and data/instructions/rl-prompts.json: up to 300 fresh examples per task (seed 21) in neither
// split, the prompts of reinforcement learning (chapter 12).
// Run: node --import tsx scripts/make-instructions.ts

import { mkdirSync } from 'node:fs';
import { atomicWriteFile } from '../src/io/atomic-write.js';
import { freshExamples, makeInstructionSet, splitHeldOut, toAlpacaJson } from '../src/data/instructions.js';

const all = makeInstructionSet(600, 14);
const { train, heldOut } = splitHeldOut(all, 50, 7);
mkdirSync('data/instructions', { recursive: true });
atomicWriteFile('data/instructions/train.json', toAlpacaJson(train));
atomicWriteFile('data/instructions/heldout.json', toAlpacaJson(heldOut));
const fresh = freshExamples(all, 300, 21);
atomicWriteFile('data/instructions/rl-prompts.json', toAlpacaJson(fresh));
const tasks = [...new Set(all.map((e) => e.task))];
const per = tasks.map((t) => `${t} ${all.filter((e) => e.task === t).length}`).join(', ');
console.log(`wrote ${train.length} training and ${heldOut.length} held-out examples (${per})`);
console.log(`wrote ${fresh.length} fresh prompts for reinforcement learning (rl-prompts.json)`);
