// The worker side of the lab's 'models' panel (panels/models.ts): the methods it calls by name.
// (Scaffold: the panel's own part fills this in.)

import type { Method } from './methods.js';

export const modelMethods: Record<string, Method> = {};
