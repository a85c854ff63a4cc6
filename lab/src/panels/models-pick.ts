// Finding a checkpoint among the files a user picked (a folder picker) or dropped (files or a whole
// folder): the folder holding config.json and model.safetensors. `llmfs train --out DIR` writes two,
// DIR/last and DIR/best; picking DIR loads last/ (the newest weights) and says the other was seen.

/** A file with its path inside what was picked or dropped ("run/last/config.json"). */
export interface PathedFile {
  path: string;
  file: File;
}

export interface PickedCheckpoint {
  /** The checkpoint folder's path, as shown and sent to the worker. */
  name: string;
  config?: File;
  weights?: File;
  tokenizer?: File;
  /** Other checkpoint folders seen beside it. */
  others: string[];
}

const CHECKPOINT_FILES = ['config.json', 'model.safetensors'];

function split(path: string): { dir: string; base: string } {
  const i = path.lastIndexOf('/');
  return i < 0 ? { dir: '', base: path } : { dir: path.slice(0, i), base: path.slice(i + 1) };
}

/** The checkpoint among `files`, or a one-line reason there is none. */
export function chooseCheckpoint(files: readonly PathedFile[]): PickedCheckpoint | string {
  if (files.length === 0) return 'no files: pick or drop a checkpoint folder';
  const dirs = new Map<string, Map<string, File>>();
  for (const f of files) {
    const { dir, base } = split(f.path);
    if (!dirs.has(dir)) dirs.set(dir, new Map());
    dirs.get(dir)!.set(base, f.file);
  }
  const found = [...dirs.keys()].filter((d) => CHECKPOINT_FILES.some((n) => dirs.get(d)!.has(n)));
  if (found.length === 0)
    return (
      `no config.json or model.safetensors among the ${files.length} files: pick the folder that ` +
      '`llmfs train --out DIR` wrote (DIR, DIR/last or DIR/best)'
    );
  // The newest weights first (last/), then the best by validation loss, then the shortest path.
  const rank = (d: string): number => (split(d).base === 'last' ? 0 : split(d).base === 'best' ? 1 : 2);
  found.sort((a, b) => rank(a) - rank(b) || a.length - b.length || a.localeCompare(b));
  const chosen = dirs.get(found[0])!;
  return {
    name: found[0] || 'checkpoint',
    config: chosen.get('config.json'),
    weights: chosen.get('model.safetensors'),
    tokenizer: chosen.get('tokenizer.json'),
    others: found.slice(1),
  };
}

/** The files of an <input type=file webkitdirectory>, with their paths. */
export function filesFromInput(list: FileList): PathedFile[] {
  return [...list].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries hands back a batch at a time (100 in Chromium) until an empty one.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: PathedFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.push({ path, file });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader()))
      await walk(child, out);
  }
}

/** The files of a drop: loose files, or every file inside dropped folders. */
export async function filesFromDrop(dt: DataTransfer): Promise<PathedFile[]> {
  const entries = [...dt.items].map((item) => item.webkitGetAsEntry()).filter((e) => e !== null);
  if (entries.length === 0) return filesFromInput(dt.files);
  const out: PathedFile[] = [];
  for (const e of entries) await walk(e, out);
  return out;
}
