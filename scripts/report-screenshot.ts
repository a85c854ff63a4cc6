// Screenshots of HTML reports for the docs, taken in headless Chromium (test/report/chromium.ts):
//   node --import tsx scripts/report-screenshot.ts REPORT.html OUT.png [--full] [--clip-height N]
// --full captures the whole page; --clip-height N the top N pixels (default: the first screen).

import { withPage } from '../test/report/chromium.js';

const args = process.argv.slice(2);
const [html, png] = args.filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
if (!html || !png) {
  console.error('usage: scripts/report-screenshot.ts REPORT.html OUT.png [--full] [--clip-height N]');
  process.exit(1);
}
const full = args.includes('--full');
const i = args.indexOf('--clip-height');
const height = i >= 0 ? Number(args[i + 1]) : undefined;
await withPage(html, async (page) => {
  if (height) await page.screenshot({ path: png, fullPage: true, clip: { x: 0, y: 0, width: 1200, height } });
  else await page.screenshot({ path: png, fullPage: full });
});
console.log(`wrote ${png}`);
