// A picture of the ring all-reduce (Patarasuk & Yuan, 2009) for chapter 18: the steps of ring.ts
// replayed on symbols instead of numbers. Each cell is one rank after one step, cut into the N
// chunks; a chunk shows which ranks' gradients its partial sum already holds ("0+2"), darker as
// it fills. Reduce-scatter fills chunk r on rank r; all-gather copies the full chunks round.
// Portable: returns SVG text.

/** held[step][rank][chunk]: the ranks whose values that chunk's partial sum includes. */
export function ringSteps(N: number): number[][][][] {
  const mod = (a: number) => ((a % N) + N) % N;
  let state = Array.from({ length: N }, (_, r) => Array.from({ length: N }, () => [r]));
  const steps = [state];
  const copy = (s: number[][][]) => s.map((rank) => rank.map((c) => [...c]));
  // Reduce-scatter, step s: rank r adds its left neighbour's partial sum of chunk (r - s - 2) mod N.
  for (let s = 0; s < N - 1; s++) {
    const next = copy(state);
    for (let r = 0; r < N; r++) {
      const c = mod(r - s - 2);
      next[r][c] = [...new Set([...state[r][c], ...state[mod(r - 1)][c]])].sort((a, b) => a - b);
    }
    steps.push((state = next));
  }
  // All-gather, step s: rank r copies the finished chunk (r - s - 1) mod N from its left neighbour.
  for (let s = 0; s < N - 1; s++) {
    const next = copy(state);
    for (let r = 0; r < N; r++) {
      const c = mod(r - s - 1);
      next[r][c] = [...state[mod(r - 1)][c]];
    }
    steps.push((state = next));
  }
  return steps;
}

/** The grid: one column per step (start, N-1 reduce-scatter, N-1 all-gather), one row per rank. */
export function ringAllReduceSvg(N = 3): string {
  const steps = ringSteps(N);
  const cw = 34;
  const cellW = N * cw + 12;
  const rowH = 44;
  const left = 70;
  const top = 70;
  const W = left + steps.length * cellW + 10;
  const H = top + N * rowH + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">Ring all-reduce of ${N} workers: which workers' ` +
      `gradients each chunk's sum holds</text>`,
  ];
  steps.forEach((_, s) => {
    const x = left + s * cellW;
    const label = s === 0 ? 'start' : s < N ? `reduce-scatter ${s}` : `all-gather ${s - N + 1}`;
    out.push(`<text x="${x + cellW / 2 - 6}" y="${top - 22}" text-anchor="middle">${label}</text>`);
  });
  for (let r = 0; r < N; r++) {
    const y = top + r * rowH;
    out.push(`<text x="8" y="${y + 22}">worker ${r}</text>`);
    steps.forEach((held, s) => {
      for (let c = 0; c < N; c++) {
        const have = held[r][c];
        const x = left + s * cellW + c * cw;
        const shade = Math.round(235 - (have.length / N) * 150);
        const fill = have.length === N ? 'rgb(70,130,90)' : `rgb(${shade},${shade + 10},255)`;
        out.push(
          `<rect x="${x}" y="${y}" width="${cw - 3}" height="${rowH - 12}" fill="${fill}" stroke="#666"/>`,
        );
        const text = have.length === N ? 'Σ' : have.join('+');
        const colour = have.length === N ? 'white' : 'black';
        out.push(
          `<text x="${x + (cw - 3) / 2}" y="${y + 20}" text-anchor="middle" fill="${colour}">${text}</text>`,
        );
      }
    });
  }
  const notes = [
    `Each cell: one worker's ${N} chunks. "0+2": the sum of workers 0 and 2 so far; Σ: all of them.`,
    'Each step, every worker sends one chunk to its right neighbour (worker N-1 to worker 0).',
  ];
  notes.forEach((line, i) => out.push(`<text x="8" y="${H - 22 + 14 * i}">${line}</text>`));
  out.push('</svg>');
  return out.join('\n');
}
