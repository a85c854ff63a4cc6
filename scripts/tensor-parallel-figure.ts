// Writes chapter 18's diagram of one GPT block under tensor parallelism (Megatron-LM, Shoeybi et
// al., 2019, fig. 3) for N ranks: grey parts replicated, each rank's column-parallel then
// row-parallel Linear pair in its own colour, and Megatron's f and g where the ranks meet.
//   node --import tsx scripts/tensor-parallel-figure.ts [N]

import { writeFileSync } from 'node:fs';

const N = Number(process.argv[2] ?? 2);
const COLOURS = ['#a0c4e8', '#f7c08a', '#b5dfa5', '#e2b3e0'];
const GREY = '#dddddd';
const rowH = 70;
const top = 80;
const mid = top + ((N - 1) * rowH) / 2 + 22; // the replicated row sits between the ranks
const H = top + N * rowH + 70;
const out: string[] = [
  `<text x="20" y="22" font-size="14">Tensor parallel (Megatron-LM): one GPT block on ${N} ranks</text>`,
  '<text x="20" y="40" fill="#555">f: identity forward, all-reduce backward. g: all-reduce forward, ' +
    'identity backward. Grey: replicated on every rank.</text>',
  '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="7" refY="3" orient="auto">' +
    '<path d="M0,0 L7,3 L0,6 z" fill="#333"/></marker></defs>',
];
const box = (x: number, yc: number, w: number, fill: string, label: string, sub = '') => {
  out.push(`<rect x="${x}" y="${yc - 22}" width="${w}" height="44" rx="4" fill="${fill}" stroke="#666"/>`);
  out.push(`<text x="${x + w / 2}" y="${yc + (sub ? -2 : 4)}" text-anchor="middle">${label}</text>`);
  if (sub)
    out.push(`<text x="${x + w / 2}" y="${yc + 12}" text-anchor="middle" font-size="10">${sub}</text>`);
  return [x, x + w] as const;
};
const arrow = (x1: number, y1: number, x2: number, y2: number) =>
  out.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#333" marker-end="url(#a)"/>`);
const op = (cx: number, name: string) => {
  out.push(`<circle cx="${cx}" cy="${mid}" r="13" fill="#fff3b0" stroke="#333"/>`);
  out.push(`<text x="${cx}" y="${mid + 4}" text-anchor="middle" font-weight="bold">${name}</text>`);
  return [cx - 13, cx + 13] as const;
};
const rankY = (r: number) => top + r * rowH + 22;
for (let r = 0; r < N; r++) out.push(`<text x="20" y="${rankY(r) + 4}" font-weight="bold">rank ${r}</text>`);

/** One sub-layer: f, then each rank's pair of split Linears, then g and the replicated tail. */
function subLayer(x0: number, parts: () => [string, string][], tail: string): number {
  const [, fRight] = op(x0 + 13, 'f');
  let gx = 0;
  for (let r = 0; r < N; r++) {
    let x = fRight + 22;
    const y = rankY(r);
    arrow(fRight, mid, x, y);
    parts().forEach(([label, sub], i) => {
      const w = 96;
      const [, right] = box(x, y, w, COLOURS[r % COLOURS.length], label, sub);
      if (i < parts().length - 1) arrow(right, y, right + 12, y);
      x = right + 12;
    });
    gx = x + 22;
    arrow(x - 12, y, gx - 13, mid);
  }
  const [, gRight] = op(gx, 'g');
  const [, end] = box(gRight + 14, mid, 70, GREY, tail, '+ x (residual)');
  arrow(gRight, mid, gRight + 14, mid);
  return end;
}

const [, xRight] = box(70, mid, 56, GREY, 'x', '(B,T,C)');
const [ln1l, ln1r] = box(xRight + 16, mid, 50, GREY, 'ln_1');
arrow(xRight, mid, ln1l, mid);
const attnEnd = subLayer(
  ln1r + 10,
  (): [string, string][] => [
    ['c_attn rows', `q,k,v, nh/${N} heads`],
    ['attention', 'its heads only'],
    ['c_proj cols', 'partial (B,T,C)'],
  ],
  '+ bias',
);
const [ln2l, ln2r] = box(attnEnd + 14, mid, 50, GREY, 'ln_2');
arrow(attnEnd, mid, ln2l, mid);
const W =
  20 +
  subLayer(
    ln2r + 10,
    (): [string, string][] => [
      ['c_fc rows', `4C/${N} hidden units`],
      ['GELU', 'element-wise'],
      ['c_proj cols', 'partial (B,T,C)'],
    ],
    '+ bias',
  );
out.push(
  `<text x="20" y="${H - 30}">Per block and step: 2 all-reduces of (B,T,C) forward (the two g), 2 backward ` +
    '(the two f). Embeddings, norms and the tied head: replicated.</text>',
  `<text x="20" y="${H - 14}">c_attn (3C, C): each rank keeps its heads' rows of q, k and v; attn c_proj (C, C): ` +
    'the matching input columns; c_fc (4C, C): rows; mlp c_proj (C, 4C): columns.</text>',
  '</svg>',
);
out.unshift(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    'font-family="sans-serif" font-size="11">',
  `<rect width="${W}" height="${H}" fill="white"/>`,
);
const file = new URL('../docs/images/18-tensor-parallel.svg', import.meta.url);
writeFileSync(file, `${out.join('\n')}\n`);
console.log(`wrote ${file.pathname}`);
