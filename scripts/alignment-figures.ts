// Draws chapter 12's figures from the logs the alignment commands write: DPO's reward margin and
// preference accuracy per evaluation (the --json summary of `llmfs finetune dpo`, saved to a file)
// and GRPO's reward and KL per step (grpo-log.jsonl beside the model), each with a 10-step moving
// average over the noisy per-step values.
// Run: node --import tsx scripts/alignment-figures.ts --dpo dpo.json --grpo out/grpo/grpo-log.jsonl \
//        [--grpo-label convert] [--out docs/images]

import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../src/io/atomic-write.js';
import { lossCurveSvg, type CurvePoint } from '../src/train/loss-curve.js';

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const out = flag('out') ?? 'docs/images';
mkdirSync(out, { recursive: true });

/** The JSON object a command printed last (after its progress lines). */
const summaryOf = (file: string) => {
  const text = readFileSync(file, 'utf8');
  return JSON.parse(text.slice(text.indexOf('\n{') + 1)) as Record<string, unknown>;
};
const movingAverage = (pts: CurvePoint[], k: number): CurvePoint[] =>
  pts.map((p, i) => {
    const w = pts.slice(Math.max(0, i - k + 1), i + 1);
    return { step: p.step, loss: w.reduce((a, q) => a + q.loss, 0) / w.length };
  });

const dpoFile = flag('dpo');
if (dpoFile) {
  type Stats = { rewardMargin: number; preferenceAccuracy: number };
  const s = summaryOf(dpoFile) as {
    history: { step: number; train: Stats; eval: Stats | null }[];
    eval: (Stats & { before: Stats | null }) | null;
  };
  const at0 = s.eval?.before ? [{ step: 0, ...s.eval.before }] : [];
  const ev = [...at0, ...s.history.filter((h) => h.eval).map((h) => ({ step: h.step, ...h.eval! }))];
  const tr = s.history.map((h) => ({ step: h.step, ...h.train }));
  const write = (name: string, text: string) => {
    atomicWriteFile(join(out, name), text);
    console.log(`wrote ${join(out, name)}`);
  };
  write(
    '12-dpo-margin.svg',
    lossCurveSvg(
      [
        {
          name: 'training pairs (since the last evaluation)',
          color: '#1f77b4',
          points: tr.map((h) => ({ step: h.step, loss: h.rewardMargin })),
        },
        {
          name: 'held-out pairs',
          color: '#d62728',
          width: 2.5,
          points: ev.map((h) => ({ step: h.step, loss: h.rewardMargin })),
        },
      ],
      'DPO: reward margin',
      'β · (log-ratio chosen − log-ratio rejected)',
    ),
  );
  write(
    '12-dpo-accuracy.svg',
    lossCurveSvg(
      [
        {
          name: 'training pairs (since the last evaluation)',
          color: '#1f77b4',
          points: tr.map((h) => ({ step: h.step, loss: h.preferenceAccuracy })),
        },
        {
          name: 'held-out pairs',
          color: '#d62728',
          width: 2.5,
          points: ev.map((h) => ({ step: h.step, loss: h.preferenceAccuracy })),
        },
      ],
      'DPO: preference accuracy',
      'share of pairs with chosen reward > rejected',
    ),
  );
}

const grpoFile = flag('grpo');
if (grpoFile) {
  const label = flag('grpo-label') ?? 'grpo';
  const rows = readFileSync(grpoFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; meanReward: number; kl: number });
  for (const [key, title, y] of [
    ['meanReward', 'GRPO: mean reward of the sampled responses', 'reward'],
    ['kl', 'GRPO: KL to the reference', 'KL per token (k3 estimator)'],
  ] as const) {
    const pts = rows.map((r) => ({ step: r.step, loss: r[key] }));
    const name = `12-grpo-${label}-${key === 'kl' ? 'kl' : 'reward'}.svg`;
    atomicWriteFile(
      join(out, name),
      lossCurveSvg(
        [
          { name: 'per step', color: '#9ecae1', width: 1, points: pts },
          {
            name: '10-step average',
            color: key === 'kl' ? '#d62728' : '#1f77b4',
            width: 2.5,
            points: movingAverage(pts, 10),
          },
        ],
        title,
        y,
      ),
    );
    console.log(`wrote ${join(out, name)}`);
  }
}
