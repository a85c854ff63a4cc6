// The HTML report of `llmfs diagnose generation` (a Report for report/html.ts): the output with
// each token shaded by the model's entropy and the loop outlined, the repetition measures, the
// distribution where the loop began, the attention to the previous cycle (why it loops), and the
// remedies table with the recommended one highlighted.

import type { Report, ReportItem } from '../report/html.js';
import { heatmapSvg } from '../report/heatmap.js';
import { lineChartSvg } from '../report/line-chart.js';
import type { GenerationDiagnosis } from './generation.js';

export interface GenerationReportContext {
  /** Token ids -> text. */
  decode: (ids: readonly number[]) => string;
  prompt: readonly number[];
  /** What was run, e.g. "model out/base/best, greedy, 64 new tokens". */
  subtitle: string;
  /** What one id is: 'tokens' (BPE) or 'characters' (a character tokenizer); default 'tokens'. */
  unit?: string;
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function excerpt(s: string, n = 90): string {
  return JSON.stringify(s.length > n ? `${s.slice(0, n - 3)}...` : s);
}

function cycleCaption(p: readonly number[]): string {
  if (p.length < 2) return 'Too few whole cycles to compare.';
  const [a, b] = [p[0], p[p.length - 1]];
  const trend = b > a * 1.05 ? 'rises' : b < a * 0.95 ? 'falls' : 'stays flat';
  return (
    `From the first cycle to the last the probability ${trend} (${a.toFixed(3)} to ${b.toFixed(3)}): ` +
    'a loop persists as long as repeating stays the most likely choice, and greedy decoding always ' +
    'takes the most likely choice.'
  );
}

export function generationReport(d: GenerationDiagnosis, ctx: GenerationReportContext): Report {
  const r = d.report;
  const unitName = ctx.unit ?? 'tokens';
  const tok = (id: number) => ctx.decode([id]);
  const findings: string[] = [];
  const loop = r.loop;
  if (loop) {
    const cycle = excerpt(ctx.decode(d.ids.slice(loop.start, loop.start + loop.period)), 60);
    findings.push(
      `The output loops: a cycle of ${loop.period} ${unitName} (${cycle}) repeats ${loop.cycles} ` +
        `times from generated token ${loop.start}.`,
    );
    findings.push(
      d.recommended
        ? `Recommended: ${d.recommended}: of the remedies that break the loop, its output is the one ` +
            'the model itself finds most likely (highest mean log p).'
        : 'None of the remedies tried breaks the loop; try a larger model or more training.',
    );
  } else findings.push('No loop: the output does not end in a repeating cycle.');
  const output: ReportItem[] = [
    {
      kind: 'tokens',
      caption:
        'The prompt, then each generated token shaded by the entropy of the model’s distribution ' +
        '(darker = less sure); tokens in the loop are outlined.',
      tokens: [...ctx.prompt.map(tok), ...d.ids.map(tok)],
      values: [...ctx.prompt.map(() => NaN), ...d.entropies],
      marked: [...ctx.prompt.map(() => false), ...d.ids.map((_, i) => loop !== null && i >= loop.start)],
      valueName: 'entropy (nats)',
    },
    {
      kind: 'facts',
      facts: [
        ['tokens generated', r.tokens],
        ['distinct-1 / 2 / 3', r.distinct.map(pct).join(' / ')],
        ['longest repeated n-gram', `${r.longestRepeat.length} ${unitName}`],
        ['loop', loop ? `period ${loop.period}, from token ${loop.start}, ${loop.cycles} cycles` : 'none'],
        ['mean entropy', `${r.meanEntropy.toFixed(3)} nats`],
        ['mean log p', r.meanLogprob.toFixed(3)],
      ],
    },
    {
      kind: 'figure',
      svg: lineChartSvg({
        series: [{ name: 'entropy', points: d.entropies.map((e, i) => [i, e]) }],
        title: 'entropy of the next-token distribution',
        xLabel: 'generated token',
        yLabel: 'nats',
        markers: loop ? [{ x: loop.start, label: 'loop begins' }] : [],
        height: 280,
      }),
      caption: 'The entropy at each generated token; inside a loop its pattern repeats with the cycle.',
    },
  ];
  const sections: Report['sections'] = [{ title: 'The output', items: output }];
  if (d.loopStart) {
    sections.push({
      title: 'Where the loop began',
      items: [
        {
          kind: 'text',
          text:
            `At generated token ${d.loopStart.index} the model chose ${excerpt(tok(d.loopStart.id))}; ` +
            `the entropy there was ${d.loopStart.entropy.toFixed(2)} nats. Its top choices:`,
        },
        {
          kind: 'table',
          columns: ['token', 'probability'],
          rows: d.loopStart.alternatives.map((a) => [excerpt(tok(a.id)), pct(a.prob)]),
          highlight: [d.loopStart.alternatives.findIndex((a) => a.id === d.loopStart!.id)],
        },
      ],
    });
  }
  const la = d.loopAttention;
  if (la && loop) {
    const labels = [...ctx.prompt, ...d.ids].slice(la.windowStart).map(tok);
    const best = la.phase[la.layer][la.head];
    sections.push({
      title: 'Why it loops',
      items: [
        {
          kind: 'text',
          text:
            'Greedy decoding is a deterministic function of the context: once the output leads back to ' +
            'a context the model treats as one it has seen (a small model mostly reads the last few ' +
            'tokens), it makes the same choice again and the cycle closes. Two measures of how the loop ' +
            'keeps itself going: the probability of each cycle as the copies pile up, and how much ' +
            'attention goes to the earlier copies of the token about to be predicted.',
        },
        {
          kind: 'figure',
          svg: lineChartSvg({
            series: [{ name: 'p per cycle', points: d.cycleProbs.map((p, k) => [k + 1, p]), dots: true }],
            title: 'geometric-mean probability of each cycle',
            xLabel: 'cycle',
            yLabel: 'probability',
            height: 260,
          }),
          caption: cycleCaption(d.cycleProbs),
        },
        {
          kind: 'figure',
          svg: heatmapSvg({
            values: la.phase,
            rowLabels: la.phase.map((_, l) => `layer ${l}`),
            colLabels: la.phase[0].map((_, h) => `head ${h}`),
            title: `attention on earlier copies (uniform would give ${la.uniform.toFixed(3)})`,
            vmin: 0,
            showValues: true,
          }),
          caption:
            'Each head’s mean attention on the earlier copies of the phase it is about to predict. ' +
            `The strongest, layer ${la.layer} head ${la.head}, gives them ${best.toFixed(3)}: ` +
            `${(best / la.uniform).toFixed(1)}x what attention spread evenly would.`,
        },
        {
          kind: 'figure',
          svg: heatmapSvg({
            values: la.pattern,
            rowLabels: labels,
            colLabels: labels,
            title: `layer ${la.layer} head ${la.head} (rows: queries, columns: keys)`,
            vmin: 0,
          }),
          caption: 'Its attention over the last positions: stripes one period apart are the earlier cycles.',
        },
      ],
    });
  }
  sections.push({
    title: 'Remedies',
    items: [
      {
        kind: 'table',
        columns: [
          'remedy',
          'loop',
          'distinct-1',
          'distinct-2',
          'distinct-3',
          'longest repeat',
          'mean log p',
          'output',
        ],
        rows: [
          [
            '(as run)',
            loop ? `period ${loop.period}` : 'none',
            ...r.distinct.map(pct),
            r.longestRepeat.length,
            r.meanLogprob.toFixed(3),
            excerpt(d.text),
          ],
          ...d.remedies.map((m) => [
            m.name,
            m.report.loop ? `period ${m.report.loop.period}` : 'none',
            ...m.report.distinct.map(pct),
            m.report.longestRepeat.length,
            m.report.meanLogprob.toFixed(3),
            excerpt(m.text),
          ]),
        ],
        highlight: d.recommended ? [1 + d.remedies.findIndex((m) => m.name === d.recommended)] : [],
      },
    ],
  });
  return { title: 'Diagnosis of a generation', subtitle: ctx.subtitle, findings, sections };
}
