// The loading flag the inference commands share (generate, chat, eval, model info): --quantize
// int8|int4 quantizes the weights while they are read (io/load-pretrained.ts), so a model whose
// float32 weights would not fit in memory still runs; and the process's resident memory, which
// their --json reports give (getrusage's maxRSS for the peak, as /usr/bin/time reports it).

import type { ParsedFlags } from './args.js';
import type { LoadQuantize } from '../io/load-pretrained.js';

export const loadFlagSpecs = {
  quantize: {
    type: 'string',
    help:
      'quantize the weights while loading (int8: one scale per row; int4: groups of 32), for ' +
      'inference in about 1/4 or 1/6 of the float32 memory',
    choices: ['int8', 'int4'],
  },
} as const;

/** The --quantize value, if given (parseArgs has checked it is one of the choices). */
export function quantizeOf(flags: ParsedFlags): LoadQuantize | undefined {
  return flags.quantize as LoadQuantize | undefined;
}

/** Resident memory now and the most it has been, in MB (1 MB = 2^20 bytes). */
export function memoryMB(): { rssMB: number; peakRssMB: number } {
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  // maxRSS is in kilobytes (libuv turns macOS's bytes into kilobytes too).
  return { rssMB: mb(process.memoryUsage().rss), peakRssMB: mb(process.resourceUsage().maxRSS * 1024) };
}
