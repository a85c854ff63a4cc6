// Labelled text for classification (Node): a CSV file (RFC 4180: a header row, fields quoted with
// "..." and "" for a quote inside, CRLF or LF line ends) or JSON Lines (one object per line) with
// a text column and a label column (names configurable, default `text` and `label`). A directory
// holds the splits as train/val/test.{jsonl,csv}. Every problem is one line naming file:line.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import { fsReason } from './atomic-write.js';

export interface LabelledExample {
  text: string;
  label: string;
}

export interface LabelledReadOptions {
  /** The column holding the text (default 'text'). */
  textColumn?: string;
  /** The column holding the label (default 'label'). */
  labelColumn?: string;
  /** The allowed labels: any other is an error. None given: every label seen is allowed. */
  labels?: readonly string[];
}

/** One CSV record with the line it starts on (1-based). */
interface CsvRecord {
  fields: string[];
  line: number;
}

/** Splits CSV text into records by RFC 4180 (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string, file = 'CSV'): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not data
  let quoted = false; // inside "..."
  let atFieldStart = true;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: start }); // blank lines
    fields = [];
    field = '';
    atFieldStart = true;
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw new LlmfsError(
            `${file}:${line}: malformed CSV: text after a closing quote (use "" inside quotes)`,
          );
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (ch === '"') {
      throw new LlmfsError(`${file}:${line}: malformed CSV: a quote inside an unquoted field`);
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += ch;
      atFieldStart = false;
    }
  }
  if (quoted) throw new LlmfsError(`${file}:${start}: malformed CSV: a quoted field is never closed`);
  if (field !== '' || fields.length > 0) endRecord();
  return out;
}

function checkLabel(label: string, o: LabelledReadOptions, where: string): void {
  if (o.labels && !o.labels.includes(label))
    throw new LlmfsError(`${where}: unknown label '${label}' (expected one of: ${o.labels.join(', ')})`);
}

/** Rows of a CSV file with a header row. */
export function labelledFromCsv(text: string, file: string, o: LabelledReadOptions = {}): LabelledExample[] {
  const textCol = o.textColumn ?? 'text';
  const labelCol = o.labelColumn ?? 'label';
  const records = parseCsv(text, file);
  if (records.length === 0) throw new LlmfsError(`${file}: empty data set (no header row)`);
  const header = records[0].fields.map((h) => h.trim());
  const ti = header.indexOf(textCol);
  const li = header.indexOf(labelCol);
  for (const [col, idx] of [
    [textCol, ti],
    [labelCol, li],
  ] as const) {
    if (idx < 0)
      throw new LlmfsError(`${file}:1: no column '${col}' in the header (columns: ${header.join(', ')})`);
  }
  const rows = records.slice(1).map(({ fields, line }) => {
    if (fields.length !== header.length)
      throw new LlmfsError(
        `${file}:${line}: malformed CSV: ${fields.length} fields but the header has ${header.length}`,
      );
    const label = fields[li].trim();
    checkLabel(label, o, `${file}:${line}`);
    return { text: fields[ti], label };
  });
  if (rows.length === 0) throw new LlmfsError(`${file}: empty data set (a header but no rows)`);
  return rows;
}

/** Rows of a JSON Lines file: one object per non-blank line. */
export function labelledFromJsonl(
  text: string,
  file: string,
  o: LabelledReadOptions = {},
): LabelledExample[] {
  const textCol = o.textColumn ?? 'text';
  const labelCol = o.labelColumn ?? 'label';
  const rows: LabelledExample[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      throw new LlmfsError(`${where}: malformed JSON line (${(err as Error).message.slice(0, 80)})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new LlmfsError(`${where}: expected a JSON object with '${textCol}' and '${labelCol}'`);
    const rec = obj as Record<string, unknown>;
    for (const col of [textCol, labelCol])
      if (!(col in rec))
        throw new LlmfsError(`${where}: no column '${col}' (keys: ${Object.keys(rec).join(', ')})`);
    const t = rec[textCol];
    const l = rec[labelCol];
    if (typeof t !== 'string') throw new LlmfsError(`${where}: '${textCol}' must be a string`);
    if (typeof l !== 'string' && typeof l !== 'number' && typeof l !== 'boolean')
      throw new LlmfsError(`${where}: '${labelCol}' must be a string or a number`);
    const label = String(l);
    checkLabel(label, o, where);
    rows.push({ text: t, label });
  });
  if (rows.length === 0) throw new LlmfsError(`${file}: empty data set (no rows)`);
  return rows;
}

/** Reads one .csv or .jsonl (.json lines, .ndjson) file. */
export function readLabelledFile(path: string, o: LabelledReadOptions = {}): LabelledExample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = fsReason(err);
    throw new LlmfsError(`${path}: ${reason === 'ENOENT' ? 'file not found' : `cannot read (${reason})`}`);
  }
  if (/\.csv$/i.test(path)) return labelledFromCsv(text, path, o);
  if (/\.(jsonl|ndjson)$/i.test(path)) return labelledFromJsonl(text, path, o);
  throw new LlmfsError(`${path}: unknown data format (give a .csv or .jsonl file)`);
}

export interface LabelledSplits {
  train: LabelledExample[];
  val: LabelledExample[] | null;
  test: LabelledExample[] | null;
}

/** The file of one split in `dir`: <split>.jsonl or <split>.csv, or null. */
function splitFile(dir: string, split: string): string | null {
  for (const ext of ['jsonl', 'csv']) {
    const p = join(dir, `${split}.${ext}`);
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * A data set: a directory with train.{jsonl,csv} (required) and val / test (optional), or one
 * file (train only).
 */
export function readLabelledSplits(path: string, o: LabelledReadOptions = {}): LabelledSplits {
  if (!existsSync(path)) throw new LlmfsError(`data ${path}: not found`);
  if (!statSync(path).isDirectory()) return { train: readLabelledFile(path, o), val: null, test: null };
  const train = splitFile(path, 'train');
  if (!train) throw new LlmfsError(`data ${path}: no train.jsonl or train.csv in the directory`);
  const read = (s: string): LabelledExample[] | null => {
    const f = splitFile(path, s);
    return f ? readLabelledFile(f, o) : null;
  };
  return { train: readLabelledFile(train, o), val: read('val'), test: read('test') };
}

/** The distinct labels of a data set in sorted order (the class ids 0..K-1). */
export function labelNames(rows: readonly LabelledExample[]): string[] {
  return [...new Set(rows.map((r) => r.label))].sort();
}
