// A report as one self-contained HTML page: inline CSS and inline SVG pictures, no scripts, no
// fonts or images fetched from anywhere, so it opens from disk in any browser and can be mailed
// or committed. Every `llmfs diagnose` / `llmfs inspect` command builds a Report and renders it
// here; the same Report is what `--json` prints (minus the pictures).

import { esc } from './svg-common.js';

export type ReportItem =
  | { kind: 'text'; text: string }
  /** A table; `highlight` marks rows (e.g. the recommended remedy). */
  | {
      kind: 'table';
      caption?: string;
      columns: readonly string[];
      rows: readonly (readonly (string | number)[])[];
      highlight?: readonly number[];
    }
  /** An SVG picture made by heatmap.ts or line-chart.ts, with its caption. */
  | { kind: 'figure'; svg: string; caption?: string }
  /** A strip of tokens, each shaded by its value in [0, max] and optionally marked (e.g. in a loop). */
  | {
      kind: 'tokens';
      caption?: string;
      tokens: readonly string[];
      values?: readonly number[];
      marked?: readonly boolean[];
      valueName?: string;
    }
  /** Key/value facts shown as a short definition list. */
  | { kind: 'facts'; facts: readonly (readonly [string, string | number])[] };

export interface ReportSection {
  title: string;
  items: ReportItem[];
}

export interface Report {
  title: string;
  /** One line under the title: what was run on what. */
  subtitle?: string;
  /** Findings shown first, in a box: what looks wrong and what to try. */
  findings?: readonly string[];
  sections: ReportSection[];
}

const STYLE = [
  'body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:24px auto}',
  'body{padding:0 16px;color:#222}',
  'h1{font-size:1.6em;margin-bottom:4px}',
  'h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}',
  '.subtitle{color:#666;margin-top:0}',
  '.findings{background:#fff8e1;border:1px solid #f0c36d;padding:8px 16px;border-radius:4px}',
  'table.report-table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em}',
  'table.report-table th,table.report-table td{border:1px solid #ccc;padding:3px 8px;text-align:right}',
  'table.report-table th{background:#f3f3f3}',
  'table.report-table td:first-child,table.report-table th:first-child{text-align:left}',
  'table.report-table tr.highlight td{background:#e3f2e3;font-weight:600}',
  'figure{margin:8px 0 20px;display:inline-block;vertical-align:top}',
  'figcaption{color:#555;font-size:.85em;max-width:700px}',
  '.tokens{font-family:ui-monospace,monospace;line-height:1.9;white-space:pre-wrap;word-break:break-all}',
  '.tokens span{padding:1px 0;border-radius:2px}',
  '.tokens span.marked{outline:1px solid #d62728}',
  'dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px}',
  'dl.facts dt{color:#555}',
  'dl.facts dd{margin:0}',
].join('\n');

function cell(v: string | number): string {
  return esc(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v);
}

function renderItem(it: ReportItem): string {
  switch (it.kind) {
    case 'text':
      return `<p>${esc(it.text)}</p>`;
    case 'facts': {
      const rows = it.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${cell(v)}</dd>`);
      return `<dl class="facts">${rows.join('')}</dl>`;
    }
    case 'figure':
      return `<figure>${it.svg}${it.caption ? `<figcaption>${esc(it.caption)}</figcaption>` : ''}</figure>`;
    case 'table': {
      const hl = new Set(it.highlight ?? []);
      const head = `<tr>${it.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
      const row = (r: readonly (string | number)[], i: number) =>
        `<tr${hl.has(i) ? ' class="highlight"' : ''}>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`;
      const body = it.rows.map(row).join('');
      const cap = it.caption ? `<caption>${esc(it.caption)}</caption>` : '';
      return `<table class="report-table">${cap}<thead>${head}</thead><tbody>${body}</tbody></table>`;
    }
    case 'tokens': {
      const max = Math.max(1e-9, ...(it.values ?? []).filter((v) => Number.isFinite(v)));
      const spans = it.tokens.map((t, i) => {
        const v = it.values?.[i];
        const a = v === undefined || !Number.isFinite(v) ? 0 : Math.min(1, v / max) * 0.6;
        const tip = v === undefined ? '' : ` title="${esc(`${it.valueName ?? 'value'} ${v.toFixed(3)}`)}"`;
        const cls = it.marked?.[i] ? ' class="marked"' : '';
        return `<span${cls}${tip} style="background:rgba(242,142,43,${a.toFixed(3)})">${esc(t)}</span>`;
      });
      const cap = it.caption ? `<p class="subtitle">${esc(it.caption)}</p>` : '';
      return `${cap}<div class="tokens">${spans.join('')}</div>`;
    }
  }
}

/** The whole page as a string. */
export function renderReport(r: Report): string {
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(r.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${esc(r.title)}</h1>`,
  ];
  if (r.subtitle) parts.push(`<p class="subtitle">${esc(r.subtitle)}</p>`);
  if (r.findings && r.findings.length > 0) {
    parts.push(
      `<div class="findings"><ul>${r.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul></div>`,
    );
  }
  for (const s of r.sections) {
    parts.push(`<section><h2>${esc(s.title)}</h2>${s.items.map(renderItem).join('\n')}</section>`);
  }
  parts.push('</body></html>');
  return parts.join('\n');
}
