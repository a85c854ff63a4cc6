// Classification metrics: the confusion matrix M[true][predicted] and what it gives:
//   accuracy = Σ_k M[k][k] / N,  precision_k = M[k][k] / Σ_i M[i][k],  recall_k = M[k][k] / Σ_j M[k][j]
// (precision: of the texts called k, how many are k; recall: of the texts that are k, how many
// were found). A class never predicted has precision NaN (printed as "-").

import { LlmfsError } from '../../errors.js';

export interface ClassMetrics {
  labels: string[];
  /** confusion[t][p]: examples of true class t predicted as p. */
  confusion: number[][];
  count: number;
  accuracy: number;
  precision: number[];
  recall: number[];
}

export function classMetrics(
  labels: readonly string[],
  truth: readonly number[],
  predicted: readonly number[],
): ClassMetrics {
  if (truth.length !== predicted.length)
    throw new LlmfsError(`metrics: ${truth.length} true labels but ${predicted.length} predictions`);
  const K = labels.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  truth.forEach((t, i) => confusion[t][predicted[i]]++);
  const diag = (k: number): number => confusion[k][k];
  const colSum = (k: number): number => confusion.reduce((s, row) => s + row[k], 0);
  const rowSum = (k: number): number => confusion[k].reduce((s, v) => s + v, 0);
  const correct = labels.reduce((s, _, k) => s + diag(k), 0);
  return {
    labels: [...labels],
    confusion,
    count: truth.length,
    accuracy: truth.length > 0 ? correct / truth.length : NaN,
    precision: labels.map((_, k) => diag(k) / colSum(k)),
    recall: labels.map((_, k) => diag(k) / rowSum(k)),
  };
}

const pct = (x: number): string => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

/** A readable report: accuracy, then per class precision / recall, then the confusion matrix. */
export function formatMetrics(m: ClassMetrics, title: string): string {
  const w = Math.max(9, ...m.labels.map((l) => l.length)) + 2;
  const pad = (s: string, n = w): string => s.padStart(n);
  const lines = [`${title}: accuracy ${pct(m.accuracy)} (${Math.round(m.accuracy * m.count)}/${m.count})`];
  lines.push(`${'class'.padEnd(w)}${pad('precision')}${pad('recall')}${pad('support')}`);
  m.labels.forEach((l, k) => {
    const support = m.confusion[k].reduce((s, v) => s + v, 0);
    lines.push(`${l.padEnd(w)}${pad(pct(m.precision[k]))}${pad(pct(m.recall[k]))}${pad(String(support))}`);
  });
  lines.push(`confusion (rows: true, columns: predicted)`);
  lines.push(`${''.padEnd(w)}${m.labels.map((l) => pad(l)).join('')}`);
  m.labels.forEach((l, k) =>
    lines.push(`${l.padEnd(w)}${m.confusion[k].map((v) => pad(String(v))).join('')}`),
  );
  return lines.join('\n');
}
