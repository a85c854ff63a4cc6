// Where each panel's explanation and code live: a docs chapter and source files of the
// repository. Links resolve against VITE_SOURCE_BASE (set it at build time to a hosted copy of
// the repository, e.g. a GitHub tree URL ending in '/'); by default they are relative to
// lab/dist inside a checkout, so they work when the repository root is served as static files.

const BASE: string = import.meta.env.VITE_SOURCE_BASE ?? '../../';

/** The URL of a repository path such as 'docs/19-the-lab.md' or 'src/diagnose/logit-lens.ts'. */
export function repoUrl(path: string): string {
  return BASE + path;
}

/** A panel's "read" line: its chapter and the source files it runs, as links. */
export function linkLine(chapter: { path: string; title: string }, sources: string[]): HTMLElement {
  const p = document.createElement('p');
  p.className = 'links';
  const a = (href: string, text: string): HTMLAnchorElement => {
    const el = document.createElement('a');
    el.href = repoUrl(href);
    el.textContent = text;
    el.target = '_blank';
    el.rel = 'noopener';
    return el;
  };
  p.append('Read: ', a(chapter.path, chapter.title), ' · code: ');
  sources.forEach((s, i) => {
    if (i > 0) p.append(', ');
    p.append(a(s, s.replace(/^src\//, '')));
  });
  return p;
}
