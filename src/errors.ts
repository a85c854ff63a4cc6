// The one error class for user-facing failures. Messages name the thing and the fix, e.g.
// "matmul: shapes (2,3) and (4,5) do not align: inner sizes 3 and 4 differ".
// The CLI prints `error: <message>` for these and exits 1, with no stack trace.

export class LlmfsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmfsError';
  }
}

/** Throws an LlmfsError unless `cond` holds. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new LlmfsError(typeof message === 'function' ? message() : message);
}
