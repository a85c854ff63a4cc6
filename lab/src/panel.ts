// What a panel of the lab is given: the worker (call, its messages), the Train panel's setup, the
// URL for the panel's own keys, and a way to report an error (shown in the panel and recorded
// in window.lab.errors, which the end-to-end tests check is empty).

import type { Posted } from './protocol.js';
import type { Setup } from './setup.js';

export interface PanelContext {
  /** Asks the training worker a named question (worker/methods.ts). */
  call<T>(method: string, args?: unknown): Promise<T>;
  /** Every message of the current run (older runs' messages are dropped); replies included. */
  onMessage(cb: (m: Posted) => void): void;
  /** The Train panel's current setup. */
  setup(): Setup;
  /** The panel's own URL keys (url-state.ts). */
  getParam(key: string): string | null;
  setParams(values: Record<string, string | null>, defaults?: Record<string, string>): void;
  /** Shows a one-line error in the panel's root and records it on window.lab.errors. */
  error(root: HTMLElement, message: string): void;
}

/** A panel module's entry: builds its contents inside `root` (its <section>'s body). */
export type MountPanel = (ctx: PanelContext, root: HTMLElement) => void;
