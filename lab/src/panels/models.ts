// The lab's 'models' panel. (Scaffold: the panel's own part fills this in.)

import type { MountPanel } from '../panel.js';

export const mount: MountPanel = (_ctx, root) => {
  root.textContent = '';
};
