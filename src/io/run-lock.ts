// The lock of a training run's directory (Node): train.lock, created with O_EXCL and holding the
// training's process id, so one training writes into a directory at a time. A lock whose process is
// gone (a killed run) is taken over; the directories the lock had to create are removed if left empty.

import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fsReason, makeDirs } from './atomic-write.js';
import { LlmfsError } from '../errors.js';

/** Whether process `pid` is running (EPERM: it is, under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunLock {
  /** Whether this object holds the lock, and the first directory it created for the run. */
  private locked = false;
  private createdRoot: string | null = null;

  constructor(
    readonly dir: string,
    readonly lockFile: string,
  ) {}

  /**
   * Checks, without writing, that the run directory can be made: `dir` is a directory or can be
   * created (no file in the way). One clear error otherwise.
   */
  checkPath(): void {
    for (let p = resolve(this.dir); ; p = dirname(p)) {
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch (err) {
        const reason = fsReason(err);
        if ((reason === 'ENOENT' || reason === 'ENOTDIR') && dirname(p) !== p) continue;
        throw new LlmfsError(`train: cannot use --out ${this.dir} (${reason} at ${p})`);
      }
      if (isDir) return;
      const what = p === resolve(this.dir) ? 'is a file' : `is under ${p}, which is a file`;
      throw new LlmfsError(
        `train: --out ${this.dir} ${what}; the run needs a directory (choose another --out)`,
      );
    }
  }

  /**
   * Takes the run's lock: creates the directory and train.lock (O_EXCL) holding this process's
   * id. A lock whose process is gone (a killed run) is taken over; returns that process's id then.
   */
  lock(): { staleFrom: number | null } {
    this.checkPath();
    try {
      // makeDirs gives the first directory it had to create: the one to remove if left empty.
      if (!existsSync(this.dir)) this.createdRoot = makeDirs(this.dir, 'train: --out');
    } catch (err) {
      if (err instanceof LlmfsError) throw err;
      throw new LlmfsError(`train: cannot create --out ${this.dir} (${fsReason(err)})`);
    }
    let staleFrom: number | null = null;
    try {
      for (let attempt = 0; ; attempt++) {
        let fd: number;
        try {
          fd = openSync(this.lockFile, 'wx', 0o644);
        } catch (err) {
          if (fsReason(err) !== 'EEXIST') throw err;
          const pid = this.lockHolder();
          // No id yet may mean a run between creating the lock and writing its id: wait for it.
          const fresh = pid === null && Date.now() - statSync(this.lockFile).mtimeMs < 10_000;
          if (attempt > 0 || fresh || (pid !== null && isAlive(pid))) throw this.busy(pid);
          // A killed run's lock: take it over.
          staleFrom = pid;
          rmSync(this.lockFile, { force: true });
          continue;
        }
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        this.locked = true;
        return { staleFrom };
      }
    } catch (err) {
      if (this.locked) this.unlock();
      else this.removeCreatedDirs();
      if (err instanceof LlmfsError) throw err;
      throw new LlmfsError(`train: cannot write to --out ${this.dir} (${fsReason(err)})`);
    }
  }

  /** Gives the lock back (and removes the directories this run created if it left them empty). */
  unlock(): void {
    if (!this.locked) return;
    this.locked = false;
    try {
      unlinkSync(this.lockFile);
    } catch {
      // Already gone: nothing to give back.
    }
    this.removeCreatedDirs();
  }

  private removeCreatedDirs(): void {
    const root = this.createdRoot;
    this.createdRoot = null;
    if (root === null) return;
    try {
      for (let d = resolve(this.dir); ; d = dirname(d)) {
        rmdirSync(d);
        if (d === resolve(root)) break;
      }
    } catch {
      // Not empty (the run wrote files): kept.
    }
  }

  /** The process id in train.lock, or null when unreadable. */
  private lockHolder(): number | null {
    try {
      const pid = Number.parseInt(readFileSync(this.lockFile, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  private busy(pid: number | null = this.lockHolder()): LlmfsError {
    const who = pid === null ? 'another training' : `another training (process ${pid})`;
    return new LlmfsError(
      `train: ${who} is running in ${this.dir}; wait for it, stop it, or choose another --out ` +
        `(if no training runs there, delete ${this.lockFile})`,
    );
  }
}
