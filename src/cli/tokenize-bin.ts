// `llmfs tokenize --out-bin DIR`: encodes a whole text (a file, a folder of .txt files, or the
// bundled corpus) into nanoGPT's token files, train.bin + val.bin + meta.json (io/token-bin.ts),
// the input of scripts/torchrun/train_ddp.py. The split is the one `llmfs train` makes.

import { LlmfsError } from '../errors.js';
import { readTextSource, resolveTokenizer, type TextEncodingName } from '../io/text-data.js';
import { tokenizeToBins } from '../io/token-bin-files.js';

export interface TokenizeBinFlags {
  outBin: string;
  encoding: string;
  file?: string;
  fileEncoding: TextEncodingName;
  maxChars?: number;
  valFraction: number;
  data?: string;
  unk: boolean;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;

export async function runTokenizeBin(f: TokenizeBinFlags): Promise<number> {
  if (f.outBin.trim() === '')
    throw new LlmfsError('tokenize: --out-bin is empty; give the directory to write');
  if (!(f.valFraction >= 0 && f.valFraction < 1))
    throw new LlmfsError(`tokenize: --val-fraction must be in [0, 1), got ${f.valFraction}`);
  if (f.maxChars !== undefined && f.maxChars < 1)
    throw new LlmfsError(`tokenize: --max-chars must be a positive integer, got ${f.maxChars}`);
  const read = { encoding: f.fileEncoding, flag: '--file-encoding' };
  const source = readTextSource(f.file, f.maxChars, read);
  const corpus = f.data === undefined ? undefined : readTextSource(f.data, undefined, read).text;
  const tok = await resolveTokenizer(f.encoding, corpus, { unk: f.unk });
  const meta = tokenizeToBins(f.outBin, source.text, tok, {
    valFraction: f.valFraction,
    tokenizerName: f.encoding,
    source: source.name,
  });
  const width = meta.dtype === 'uint16' ? 2 : 4;
  console.log(
    `wrote ${f.outBin}: train.bin ${meta.train_tokens} tokens (${mb(meta.train_tokens * width)}), ` +
      `val.bin ${meta.val_tokens} tokens, ${meta.dtype} ids, vocabulary ${meta.vocab_size}, meta.json`,
  );
  return 0;
}
