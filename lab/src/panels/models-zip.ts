// A .zip archive of a few files, written by hand: each file "stored" (method 0, no compression:
// safetensors weights barely compress), so the format is only headers around the bytes. Layout from
// PKWARE's APPNOTE.TXT (sections 4.3.7, 4.3.12, 4.3.16): for each file a local header and its data,
// then the central directory (one entry per file), then the end-of-central-directory record.

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum every zip entry carries. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Little-endian fields, written in order. */
class Writer {
  readonly bytes: Uint8Array<ArrayBuffer>;
  private readonly view: DataView;
  private at = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(v: number): this {
    this.view.setUint16(this.at, v, true);
    this.at += 2;
    return this;
  }
  u32(v: number): this {
    this.view.setUint32(this.at, v, true);
    this.at += 4;
    return this;
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.at);
    this.at += b.length;
    return this;
  }
}

// Version 2.0 (needed for folders in names); bit 11 of the flags: names are UTF-8. The time and date
// fields hold 1980-01-01 00:00 (MS-DOS format), so the same files always give the same archive.
const VERSION = 20;
const UTF8_NAMES = 1 << 11;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** The .zip bytes of `files` (name -> contents; a name may hold folders: "run/config.json"). */
export function zipStored(files: Record<string, Uint8Array>): Uint8Array<ArrayBuffer> {
  const entries = Object.entries(files).map(([name, data]) => {
    if (data.length > 0xfffffffe) throw new Error(`zip: ${name} is over 4 GiB (zip64 is not written here)`);
    return { name: new TextEncoder().encode(name), data, crc: crc32(data), offset: 0 };
  });
  const localSize = entries.reduce((n, e) => n + 30 + e.name.length + e.data.length, 0);
  const centralSize = entries.reduce((n, e) => n + 46 + e.name.length, 0);
  const w = new Writer(localSize + centralSize + 22);
  let offset = 0;
  for (const e of entries) {
    e.offset = offset;
    // Local file header (APPNOTE 4.3.7), then the file's bytes.
    w.u32(0x04034b50).u16(VERSION).u16(UTF8_NAMES).u16(0).u16(0).u16(DOS_DATE);
    w.u32(e.crc).u32(e.data.length).u32(e.data.length).u16(e.name.length).u16(0);
    w.raw(e.name).raw(e.data);
    offset += 30 + e.name.length + e.data.length;
  }
  for (const e of entries) {
    // Central directory file header (APPNOTE 4.3.12).
    w.u32(0x02014b50).u16(VERSION).u16(VERSION).u16(UTF8_NAMES).u16(0).u16(0).u16(DOS_DATE);
    w.u32(e.crc).u32(e.data.length).u32(e.data.length).u16(e.name.length).u16(0).u16(0);
    w.u16(0).u16(0).u32(0).u32(e.offset).raw(e.name);
  }
  // End of central directory record (APPNOTE 4.3.16).
  w.u32(0x06054b50).u16(0).u16(0).u16(entries.length).u16(entries.length);
  w.u32(centralSize).u32(localSize).u16(0);
  return w.bytes;
}
