// Streaming text while tokens arrive. Two things must be held back: a tail that might still turn
// into a stop sequence (it is never shown if it does), and a trailing U+FFFD, the decoder's mark
// for a character whose UTF-8 bytes are split across tokens (byte-level BPE) and not yet complete.

export class TextStream {
  /** Characters of the text already released. */
  private emitted = 0;
  /** The text so far (cut before a stop sequence once one is found). */
  text = '';
  stopped = false;

  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    private readonly stop: readonly string[] = [],
  ) {}

  /** Given every generated id so far, returns the newly safe text. */
  push(ids: readonly number[]): string {
    const full = this.decode(ids);
    let cut = -1;
    for (const s of this.stop) {
      const i = s.length > 0 ? full.indexOf(s) : -1;
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    if (cut >= 0) {
      this.stopped = true;
      this.text = full.slice(0, cut);
      return this.release(this.text.length);
    }
    this.text = full;
    let safe = full.length;
    while (safe > this.emitted && full[safe - 1] === '\uFFFD') safe--;
    safe = Math.min(safe, full.length - this.heldForStop(full));
    return this.release(safe);
  }

  /** Everything not yet released (at the end of generation). */
  flush(): string {
    return this.release(this.text.length);
  }

  /** Length of the longest tail of `text` that is a proper prefix of a stop sequence. */
  private heldForStop(text: string): number {
    let held = 0;
    for (const s of this.stop) {
      for (let n = Math.min(s.length - 1, text.length); n > held; n--) {
        if (text.endsWith(s.slice(0, n))) {
          held = n;
          break;
        }
      }
    }
    return held;
  }

  private release(end: number): string {
    end = Math.max(end, this.emitted);
    const delta = this.text.slice(this.emitted, end);
    this.emitted = end;
    return delta;
  }
}
