// The run directory's training-health log (Node): diagnostics.jsonl, one HealthRecord
// (src/diagnose/training-health.ts) per measured step, appended as log.jsonl is; a resumed run
// trims it to the checkpoint's step and continues it. Also the strict JSON-lines reader
// `llmfs diagnose run` uses for both logs: a garbled line is an error naming the file and line.

import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile, fsReason } from './atomic-write.js';
import { LlmfsError } from '../errors.js';

export const DIAGNOSTICS_FILE = 'diagnostics.jsonl';

export const diagnosticsPath = (runDir: string): string => join(runDir, DIAGNOSTICS_FILE);

export function appendDiagnostics(runDir: string, record: object): void {
  const file = diagnosticsPath(runDir);
  try {
    appendFileSync(file, `${JSON.stringify(record)}\n`);
  } catch (err) {
    throw new LlmfsError(`${file}: cannot append (${fsReason(err)})`);
  }
}

/** Deletes an earlier run's diagnostics (a fresh run, or --force). */
export function removeDiagnostics(runDir: string): void {
  try {
    rmSync(diagnosticsPath(runDir), { force: true });
  } catch (err) {
    throw new LlmfsError(`${diagnosticsPath(runDir)}: cannot delete (${fsReason(err)})`);
  }
}

/** Keeps the records up to `step` (a resume trains the later steps again); false if there is no file. */
export function trimDiagnostics(runDir: string, step: number): boolean {
  const file = diagnosticsPath(runDir);
  if (!existsSync(file)) return false;
  const kept = readJsonLines(file, { lenient: true }).filter((r) => (r as { step: number }).step <= step);
  atomicWriteFile(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return true;
}

/**
 * The objects of a JSON-lines file, each with a numeric "step". A line that is not such an object
 * is an error naming the line, except a last line without its newline (cut by a killed run),
 * which is skipped; `lenient` skips every bad line instead.
 */
export function readJsonLines(file: string, o: { lenient?: boolean } = {}): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LlmfsError(`${file}: cannot read (${fsReason(err)})`);
  }
  const lines = text.split('\n');
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    let r: unknown;
    let why = '';
    try {
      r = JSON.parse(line);
      const ok = typeof r === 'object' && r !== null && typeof (r as { step?: unknown }).step === 'number';
      if (!ok) why = 'not an object with a numeric "step"';
    } catch {
      why = 'not valid JSON';
    }
    if (!why) out.push(r as Record<string, unknown>);
    else if (!o.lenient && i < lines.length - 1) {
      const shown = line.length > 60 ? `${line.slice(0, 57)}...` : line;
      throw new LlmfsError(`${file}: line ${i + 1} is ${why}: ${shown}`);
    }
  }
  return out;
}
