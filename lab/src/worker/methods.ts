// The questions the page may ask the training worker by name (protocol.ts: 'call'), gathered from
// each panel's worker-side module. A method runs between two training steps (the worker is one
// JavaScript thread, and trainAsync yields after every step), so it sees a consistent model; it
// must leave the model as it found it (training mode, no stray gradients the next step keeps).

import type { FromWorker } from '../protocol.js';
import type { Session } from '../session.js';
import { insideMethods } from './inside.js';
import { modelMethods } from './models.js';
import { nextTokenMethods } from './next-token.js';
import { trainMethods } from './train.js';

/** What a method may use: the current session (null before the first reset) and a way to swap it. */
export interface MethodContext {
  session: Session | null;
  /** Posts a message as part of the current run (what a replacing session is given). */
  post(m: FromWorker): void;
  /** Replaces the current session (a loaded checkpoint), closing the old one. */
  replaceSession(next: Session): void;
}

/** A method: its arguments come from the page (check them), its result goes back by structured clone. */
export type Method = (ctx: MethodContext, args: unknown) => unknown;

export const METHODS: Record<string, Method> = {
  ...trainMethods,
  ...insideMethods,
  ...nextTokenMethods,
  ...modelMethods,
};
