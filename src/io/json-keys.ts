// Duplicate-key detection for JSON. JSON.parse silently keeps the last of two equal keys, so a
// hostile file could say one thing to us and another to a different reader; this scan finds the
// first repeated key in any object. Iterative (no recursion), so deep nesting cannot overflow.

export interface DuplicateKey {
  key: string;
  /** The key of the object holding the duplicate, or null for the top-level object. */
  parent: string | null;
}

interface Frame {
  keys: Set<string> | null; // null for arrays
  expectKey: boolean;
  name: string | null;
  lastKey: string | null;
}

/** The first duplicated key in `text`, which must already be valid JSON (JSON.parse accepted it). */
export function findDuplicateKey(text: string): DuplicateKey | null {
  const stack: Frame[] = [];
  const top = (): Frame | undefined => stack[stack.length - 1];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = top();
      const name = parent === undefined ? null : parent.keys === null ? parent.name : parent.lastKey;
      stack.push({ keys: c === 0x7b ? new Set() : null, expectKey: c === 0x7b, name, lastKey: null });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const f = top();
      if (f !== undefined && f.keys !== null) f.expectKey = true;
    } else if (c === 0x22 /* " */) {
      const start = i;
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
      const f = top();
      if (f !== undefined && f.keys !== null && f.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (f.keys.has(key)) return { key, parent: f.name };
        f.keys.add(key);
        f.lastKey = key;
        f.expectKey = false;
      }
    }
  }
  return null;
}
