// A preload for fault tests (node --import tsx --import test/io/fs-faults.ts bin/llmfs.mjs ...):
// makes Node's file system fail as a full or read-only disk would, for paths containing a given
// string, so the CLI can be tested against ENOSPC and EROFS without a real small or read-only disk.
//   LLMFS_FAULT=append:<substring>:<n>    the n-th and later appendFileSync calls fail with ENOSPC
//   LLMFS_FAULT=write:<substring>:<n>     writes into the n-th and later files opened there: ENOSPC
//   LLMFS_FAULT=readonly:<substring>      every change there fails with EROFS

import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const [kind, where, nth] = (process.env.LLMFS_FAULT ?? '').split(':');
const after = Number(nth ?? 1);

function fault(code: 'ENOSPC' | 'EROFS', syscall: string, path: unknown): never {
  const what = code === 'ENOSPC' ? 'no space left on device' : 'read-only file system';
  const err = new Error(`${code}: ${what}, ${syscall} '${String(path)}'`) as NodeJS.ErrnoException;
  err.code = code;
  err.syscall = syscall;
  throw err;
}

const hits = (path: unknown) => typeof path === 'string' && where !== undefined && path.includes(where);
/** Replaces fs[name] with `wrap(original)`. */
function patch<K extends keyof typeof fs>(name: K, wrap: (orig: (typeof fs)[K]) => (typeof fs)[K]): void {
  (fs as Record<K, (typeof fs)[K]>)[name] = wrap(fs[name]);
}

if (kind === 'append') {
  let calls = 0;
  patch('appendFileSync', (orig) => (path, ...rest) => {
    if (hits(path) && ++calls >= after) fault('ENOSPC', 'write', path);
    return orig(path, ...rest);
  });
} else if (kind === 'write') {
  const watched = new Set<number>();
  let opened = 0;
  patch('openSync', (orig) => (path, flags, ...rest) => {
    const fd = orig(path, flags, ...rest);
    if (hits(path) && flags !== undefined && flags !== 'r' && ++opened >= after) watched.add(fd);
    return fd;
  });
  patch('closeSync', (orig) => (fd) => {
    watched.delete(fd);
    return orig(fd);
  });
  patch(
    'writeSync',
    (orig) =>
      ((fd: number, ...rest: unknown[]) => {
        if (watched.has(fd)) fault('ENOSPC', 'write', `fd ${fd}`);
        return (orig as (...a: unknown[]) => number)(fd, ...rest);
      }) as typeof fs.writeSync,
  );
} else if (kind === 'readonly') {
  for (const name of [
    'mkdirSync',
    'renameSync',
    'rmSync',
    'rmdirSync',
    'unlinkSync',
    'appendFileSync',
    'linkSync',
    'writeFileSync',
    'copyFileSync',
  ] as const) {
    patch(
      name,
      (orig) =>
        ((...args: unknown[]) => {
          if (args.slice(0, 2).some(hits)) fault('EROFS', name.replace(/Sync$/, ''), args[0]);
          return (orig as (...a: unknown[]) => unknown)(...args);
        }) as never,
    );
  }
  patch('openSync', (orig) => (path, flags, ...rest) => {
    if (hits(path) && flags !== undefined && flags !== 'r') fault('EROFS', 'open', path);
    return orig(path, flags, ...rest);
  });
}
syncBuiltinESMExports();
