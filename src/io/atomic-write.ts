// Atomic file replacement (Node): write a temporary file in the destination's directory, fsync
// it, then rename it over the destination. rename(2) within one file system is atomic, so a
// reader, or a process killed at any instant, sees the whole old file or the whole new one.

import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LlmfsError } from '../errors.js';

export type FileContent = Uint8Array | string | Iterable<Uint8Array>;

/** A short reason for a Node file-system error: its code (ENOENT, EACCES, ...) or message. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;)
    off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 30));
}

/** Flushes a directory's entry list (so a rename survives power loss); not possible on Windows. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Opening a directory is not allowed on some platforms; the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Writes `content` (bytes, text, or a sequence of byte chunks written one after another, so a
 * large file need not exist whole in memory) to `path` atomically.
 */
export function atomicWriteFile(path: string, content: FileContent): void {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    if (typeof content === 'string') writeAll(fd, new TextEncoder().encode(content));
    else if (content instanceof Uint8Array) writeAll(fd, content);
    else for (const chunk of content) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file was never created, or is already renamed.
    }
    if (err instanceof LlmfsError) throw err;
    throw new LlmfsError(`${path}: cannot write file (${fsReason(err)})`);
  }
  fsyncDir(dirname(path));
}

/**
 * `mkdir -p`, one level at a time; returns the first directory it created (null when `dir`
 * existed). Node's recursive mkdirSync loops forever where creating fails with ENOENT under an
 * existing parent, as in /proc, so every directory the library makes is made here.
 */
export function makeDirs(dir: string, what = 'output'): string | null {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  missing.reverse();
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw new LlmfsError(`${what} ${dir}: cannot create ${d} (${fsReason(err)})`);
    }
  }
  return missing[0] ?? null;
}
