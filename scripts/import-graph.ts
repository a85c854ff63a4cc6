// The import graph of src/: every static `import`/`export ... from` and dynamic `import('...')` of a
// relative module, resolved to its file. Used by test/package/imports.test.ts (no cycles, layers kept)
// and runnable by hand: `npx tsx scripts/import-graph.ts` prints the cycles it finds.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ImportEdge {
  from: string;
  /** Relative to the root (src/...) for local modules; the bare specifier ('node:fs') otherwise. */
  to: string;
  typeOnly: boolean;
}

const IMPORT = /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Strips comments so that an import written in a comment is not counted. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function resolveLocal(fromFile: string, spec: string): string {
  const base = resolve(dirname(fromFile), spec);
  for (const cand of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(cand) && !cand.endsWith('/')) return cand;
  }
  return base;
}

/** All import edges of the files under `srcDir`, with paths relative to `root`. */
export function importEdges(root: string, srcDir = 'src'): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of walk(join(root, srcDir))) {
    const text = code(readFileSync(file, 'utf8'));
    const from = relative(root, file);
    const add = (spec: string, typeOnly: boolean) => {
      const to = spec.startsWith('.') ? relative(root, resolveLocal(file, spec)) : spec;
      edges.push({ from, to, typeOnly });
    };
    for (const m of text.matchAll(IMPORT)) add(m[3], m[2] !== undefined);
    for (const m of text.matchAll(DYNAMIC)) add(m[1], false);
  }
  return edges;
}

/** The strongly connected components with more than one file (or a file importing itself). */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!e.to.startsWith('src/')) continue;
    if (!graph.has(e.from)) graph.set(e.from, []);
    graph.get(e.from)!.push(e.to);
  }
  // Tarjan's algorithm, iterative so that a deep graph cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = graph.get(top.v) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.v);
        if (scc.length > 1 || succ.includes(top.v)) cycles.push(scc.sort());
      }
    }
  }
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const cycles = importCycles(importEdges(root));
  for (const c of cycles) console.log(`cycle: ${c.join(' <-> ')}`);
  console.log(`${cycles.length} import cycle(s) in src/`);
}
