// The worker side of the lab's 'next-token' panel (panels/next-token.ts): the methods it calls by name.
// (Scaffold: the panel's own part fills this in.)

import type { Method } from './methods.js';

export const nextTokenMethods: Record<string, Method> = {};
