// Prints the table of every exercise for docs/00-start-here.md ("All exercises"), from the
// catalog; test/exercises/docs.test.ts keeps the chapter's copy equal to it.
//   npx tsx scripts/exercise-table.ts

import { EXERCISES, exerciseFile, exercisesOnPath } from '../src/exercises/index.js';

const CHAPTERS: Record<number, string> = {
  1: '01-tensors-and-autograd.md',
  2: '02-tokenization.md',
  3: '03-embeddings-and-positions.md',
  4: '04-attention.md',
  5: '05-transformer-blocks.md',
  6: '06-gpt-and-encoder-decoder.md',
  7: '07-training.md',
  8: '08-generation.md',
  9: '09-pretrained-weights.md',
  10: '10-making-it-fast.md',
  11: '11-fine-tuning.md',
  12: '12-alignment.md',
  13: '13-compression-and-deployment.md',
  14: '14-diagnosing-a-model.md',
  15: '15-attention-variants-and-moe.md',
  16: '16-from-gpt2-to-llama-and-qwen.md',
  17: '17-seeing.md',
  18: '18-training-in-parallel.md',
  19: '19-the-lab.md',
};

/** GitHub's anchor for a heading. */
const anchor = (h: string) =>
  h
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

export function exerciseTable(): string {
  const advanced = exercisesOnPath('advanced').map((e) => e.id);
  const researcher = new Set(exercisesOnPath('researcher').map((e) => e.id));
  const rows = EXERCISES.map((e) => {
    const doc = CHAPTERS[e.chapter];
    const section = doc ? `[${e.section}](${doc}#${anchor(e.section)})` : e.section;
    const paths = [
      `advanced #${advanced.indexOf(e.id) + 1}`,
      ...(researcher.has(e.id) ? ['researcher'] : []),
    ];
    return `| ${e.chapter} | \`${e.id}\` | ${e.title} | ${section} | ${paths.join(', ')} |`;
  });
  return [
    `${EXERCISES.length} exercises; the file in your workspace is \`NN-id.ts\` (e.g. \`${exerciseFile(EXERCISES[0]!)}\`).`,
    '',
    '| ch. | id | what you write | section | also on |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(exerciseTable());
