// The worker side of the lab's 'inside' panel (panels/inside.ts): the methods it calls by name.
// (Scaffold: the panel's own part fills this in.)

import type { Method } from './methods.js';

export const insideMethods: Record<string, Method> = {};
