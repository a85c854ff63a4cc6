// Where a diagnose/inspect command's HTML report goes: `--report FILE`, or a default name in the
// current directory. Written atomically (temp + rename), so a killed command never leaves half a
// page; the path is printed so a learner can open it.

import { resolve } from 'node:path';
import { atomicWriteFile } from '../io/atomic-write.js';
import { renderReport, type Report } from '../report/html.js';

/** The flag every reporting command takes. */
export const REPORT_FLAG = {
  report: {
    type: 'string',
    help: 'where to write the HTML report (default: a file in the current directory)',
  },
} as const;

/** Renders and writes `report` to `file` (or `fallback` in the current directory); returns its path. */
export function writeReport(file: string | undefined, fallback: string, report: Report): string {
  const path = resolve(file ?? fallback);
  atomicWriteFile(path, renderReport(report));
  return path;
}
