// The bench's command line, parsed without side effects so a test can pin it:
//   --threads N or --threads 1,2   kernel threads (one run of the suites per count); else
//                                  LLMFS_THREADS (same syntax), else one per core
//   --json                         print the JSON to stdout after the table
//   --json out.json | --json=PATH  write the JSON to a file (atomically) instead
//   --compare old.json             print new/old ratios per row against an earlier JSON file
//   --pytorch                      run scripts/bench-pytorch.py at the same thread counts
//   anything else                  a filter: only suites whose name contains it

export class BenchArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchArgsError';
  }
}

export interface BenchOptions {
  /** Thread counts to run the suites at, in the order given; null: the default (one per core). */
  threads: number[] | null;
  /** Where the thread counts came from, for the header. */
  threadsFrom: 'flag' | 'env' | 'default';
  /** Print the JSON to stdout after the table. */
  jsonStdout: boolean;
  /** Write the JSON to this file (temp file + rename). */
  jsonPath: string | null;
  /** An earlier JSON file to print new/old ratios against. */
  comparePath: string | null;
  /** Run the PyTorch side (scripts/bench-pytorch.py) at the same thread counts. */
  pytorch: boolean;
  /** Suite-name filters. */
  filters: string[];
  /** Non-fatal problems (an ignored LLMFS_THREADS), for stderr. */
  warnings: string[];
}

/** Parses '2' or '1,2' into distinct whole numbers >= 1, in order; throws on anything else. */
export function parseThreadList(text: string, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (p === '' || !Number.isInteger(n) || n < 1) {
      throw new BenchArgsError(
        `bench: ${what} must be whole numbers >= 1 separated by commas (such as 2 or 1,2), got '${text}'`,
      );
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

export function parseBenchArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): BenchOptions {
  const o: BenchOptions = {
    threads: null,
    threadsFrom: 'default',
    jsonStdout: false,
    jsonPath: null,
    comparePath: null,
    pytorch: false,
    filters: [],
    warnings: [],
  };
  /** The value of a flag: `--flag=value` or the next argument. */
  const valueOf = (i: number, flag: string): [string, number] => {
    const a = argv[i];
    if (a.startsWith(`${flag}=`)) return [a.slice(flag.length + 1), i];
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) {
      throw new BenchArgsError(`bench: ${flag} needs a value (such as ${flag} ${example(flag)})`);
    }
    return [next, i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--threads' || a.startsWith('--threads=')) {
      const [v, j] = valueOf(i, '--threads');
      o.threads = parseThreadList(v, '--threads');
      o.threadsFrom = 'flag';
      i = j;
    } else if (a === '--compare' || a.startsWith('--compare=')) {
      const [v, j] = valueOf(i, '--compare');
      o.comparePath = v;
      i = j;
    } else if (a.startsWith('--json=')) {
      o.jsonPath = a.slice('--json='.length);
      if (o.jsonPath === '') throw new BenchArgsError('bench: --json= needs a file name (--json=out.json)');
    } else if (a === '--json') {
      // `--json x.json` writes a file; a bare --json (or one before a filter) prints to stdout,
      // as it always has, so `--json matmul` still means "JSON, matmul suites only".
      const next = argv[i + 1];
      if (next !== undefined && next.endsWith('.json')) {
        o.jsonPath = next;
        i++;
      } else {
        o.jsonStdout = true;
      }
    } else if (a === '--pytorch') {
      o.pytorch = true;
    } else if (a.startsWith('--')) {
      throw new BenchArgsError(
        `bench: unknown flag '${a}' (known: --threads, --json, --compare, --pytorch; ` +
          'other arguments filter suites by name)',
      );
    } else {
      o.filters.push(a);
    }
  }
  if (o.threads === null && env.LLMFS_THREADS !== undefined && env.LLMFS_THREADS !== '') {
    try {
      o.threads = parseThreadList(env.LLMFS_THREADS, 'LLMFS_THREADS');
      o.threadsFrom = 'env';
    } catch (err) {
      o.warnings.push(`${(err as Error).message}: using one thread per core`);
    }
  }
  return o;
}

function example(flag: string): string {
  if (flag === '--threads') return '1,2';
  return 'old.json';
}
