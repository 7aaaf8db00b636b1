import { createHash, randomUUID } from 'node:crypto';
import fs = require('node:fs');

/**
 * Writes `JSON.stringify(value, null, indent)` to a file without ever holding the whole text. The
 * top-level object is written member by member, and its arrays (components, dependencies, …) in
 * batches of elements; every piece is produced by JSON.stringify itself, wrapped in the same
 * `{"key": …}` nesting so that its indentation is exactly what the one-shot call produces, and the
 * wrapper is cut off. The bytes are identical to the one-shot call; the SHA-256 is computed on the
 * way. For SBOMs of 100 MB+, this saves holding a second copy of the document as text.
 */
export function writeJsonFile(file: string, value: unknown, indent: string | undefined, trailingNewline: string, keepChunks = false): WrittenFile {
  const sink = new ChunkedSink(file, keepChunks);
  try {
    writeTopLevel(sink, value, indent || undefined);
    sink.push(trailingNewline);
    return sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
}

const BATCH_ITEMS = 256;

function writeTopLevel(sink: ChunkedSink, value: unknown, indent: string | undefined): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    sink.push(JSON.stringify(value, null, indent) ?? 'null');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => {
    const v = record[k];
    return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
  });
  if (keys.length === 0) {
    sink.push('{}');
    return;
  }
  const inner = indent ? `\n${indent}` : '';
  const colon = indent ? ': ' : ':';
  sink.push('{');
  keys.forEach((key, i) => {
    const member = `${inner}${JSON.stringify(key)}${colon}`;
    sink.push(i ? `,${member}` : member);
    const v = record[key];
    if (Array.isArray(v) && v.length > BATCH_ITEMS) {
      // Each batch is stringified as {"key": [batch]}; cut '{' + member + '[' and ']' + '}' off.
      const open = `{${member}[`;
      const close = `${inner}]${indent ? '\n' : ''}}`;
      sink.push('[');
      for (let start = 0; start < v.length; start += BATCH_ITEMS) {
        const full = JSON.stringify({ [key]: v.slice(start, start + BATCH_ITEMS) }, null, indent);
        sink.push((start ? ',' : '') + full.slice(open.length, full.length - close.length));
      }
      sink.push(`${inner}]`);
    } else {
      // The member on its own, indented as a member of the top-level object.
      const full = JSON.stringify({ [key]: v }, null, indent);
      sink.push(full.slice(`{${member}`.length, full.length - (indent ? 2 : 1)));
    }
  });
  sink.push(`${indent ? '\n' : ''}}`);
}

export interface WrittenFile {
  bytes: number;
  sha256: string;
  /** The bytes written, in chunks, when asked for (no single copy of the whole file). */
  chunks?: Buffer[];
}

const FLUSH_CHARS = 1 << 20;

/**
 * Writes into `<file>.<random>.tmp` (created exclusively, so nothing planted there is written
 * through) and renames over `file` only when complete, so a failed write (disk full, …) never
 * destroys the SBOM Syft wrote.
 */
class ChunkedSink {
  private readonly fd: number;
  private readonly temp: string;
  private readonly hash = createHash('sha256');
  private parts: string[] = [];
  private pending = 0;
  private bytes = 0;
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly file: string,
    private readonly keepChunks: boolean,
  ) {
    this.temp = `${file}.${randomUUID()}.tmp`;
    this.fd = fs.openSync(this.temp, 'wx');
  }

  push(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (!this.parts.length) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.hash.update(chunk);
    let offset = 0;
    while (offset < chunk.length) offset += fs.writeSync(this.fd, chunk, offset, chunk.length - offset);
    this.bytes += chunk.length;
    if (this.keepChunks) this.chunks.push(chunk);
  }

  close(): WrittenFile {
    this.flush();
    fs.closeSync(this.fd);
    fs.renameSync(this.temp, this.file);
    return { bytes: this.bytes, sha256: this.hash.digest('hex'), chunks: this.keepChunks ? this.chunks : undefined };
  }

  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.temp, { force: true });
  }
}
