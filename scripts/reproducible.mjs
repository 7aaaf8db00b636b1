// Reproducible packaging: everything in the VSIX and the extension SBOM that is not file content is
// derived from the commit, so two `npm run package` runs of one commit give the same bytes and a user
// can check that the Marketplace VSIX is this source.
//
//   sourceDate(root)         the commit's time (SOURCE_DATE_EPOCH, the reproducible-builds convention, wins)
//   nameBasedUuid(name)      an RFC 9562 version 5 (SHA-1, name-based) UUID
//   normaliseVsix(file, d)   rewrites the zip tfx wrote: entries in name order, every entry time = d,
//                            [Content_Types].xml's elements sorted, deflate at a fixed level
//
// tfx (jszip) cannot be told any of this: it stamps entries with the current time and adds files in
// the order their reads complete.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/** The time of the commit checked out at `root`, or SOURCE_DATE_EPOCH when set. */
export function sourceDate(root, env = process.env) {
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  if (epoch) {
    if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH="${epoch}" must be a number of seconds since 1970.`);
    return new Date(Number(epoch) * 1000);
  }
  let seconds;
  try {
    seconds = execFileSync('git', ['-C', root, 'log', '-1', '--format=%ct'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    throw new Error(`cannot read the commit time with git (${e.message.split('\n')[0]}); package from a git checkout, or set SOURCE_DATE_EPOCH.`);
  }
  if (!/^\d+$/.test(seconds)) throw new Error(`git gave no commit time for ${root}; package from a git checkout with a commit, or set SOURCE_DATE_EPOCH.`);
  return new Date(Number(seconds) * 1000);
}

/** RFC 9562 namespace for URLs, the namespace of our names (`urn:…`). */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

export function nameBasedUuid(name) {
  const bytes = createHash('sha1').update(URL_NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** MS-DOS date and time fields of `date` (UTC; two-second resolution; zip has no time zone). */
function dosDateTime(date) {
  if (date.getUTCFullYear() < 1980) throw new Error(`${date.toISOString()} is before 1980, which a zip entry cannot hold.`);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** The entries of a zip (no zip64: a VSIX is far below 4 GiB) as { name, data } in stored order. */
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const entries = [];
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`corrupt zip: bad central directory entry at ${p}`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLength = buf.readUInt16LE(p + 28);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    const local = buf.readUInt32LE(p + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`unsupported zip compression method ${method} for ${name}`);
    entries.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return entries;
}

/** A zip of `entries` in the given order, every entry dated `date`, deflated at level 9 (folders stored). */
function writeZip(entries, date) {
  const { time, date: day } = dosDateTime(date);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const folder = name.endsWith('/');
    const body = folder ? Buffer.alloc(0) : deflateRawSync(data, { level: 9 });
    const nameBytes = Buffer.from(name, 'utf8');
    const utf8Flag = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x800;
    const fields = (header) => {
      header.writeUInt16LE(utf8Flag, 0);
      header.writeUInt16LE(folder ? 0 : 8, 2);
      header.writeUInt16LE(time, 4);
      header.writeUInt16LE(day, 6);
      header.writeUInt32LE(crc32(data), 8);
      header.writeUInt32LE(body.length, 12);
      header.writeUInt32LE(data.length, 16);
      header.writeUInt16LE(nameBytes.length, 20);
      header.writeUInt16LE(0, 22); // no extra field
      return header;
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate, folders)
    fields(local.subarray(6));
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: MS-DOS, 2.0 (as tfx's jszip writes)
    central.writeUInt16LE(20, 6);
    fields(central.subarray(8));
    central.writeUInt16LE(0, 32); // no comment
    central.writeUInt16LE(0, 34); // disk 0
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(folder ? 0x10 : 0, 38); // MS-DOS directory attribute
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** [Content_Types].xml with its <Default> and <Override> elements each sorted (tfx emits them in file-read order). */
export function sortContentTypes(xml) {
  const element = /[ \t]*<(Default|Override)\b[^>]*\/>\r?\n?/g;
  const found = xml.match(element) ?? [];
  if (found.length === 0) return xml;
  const first = xml.indexOf(found[0]);
  const last = xml.lastIndexOf(found[found.length - 1]) + found[found.length - 1].length;
  const between = xml.slice(first, last).replace(element, '');
  if (between.trim() !== '') throw new Error('[Content_Types].xml has content between its Default/Override elements; cannot sort it safely.');
  const withNewline = (e) => (e.endsWith('\n') ? e : `${e}\n`);
  const kind = (e) => (/<Default\b/.test(e) ? 0 : 1);
  const sorted = [...found].map(withNewline).sort((a, b) => kind(a) - kind(b) || (a < b ? -1 : a > b ? 1 : 0));
  const body = sorted.join('');
  return xml.slice(0, first) + (found[found.length - 1].endsWith('\n') ? body : body.replace(/\r?\n$/, '')) + xml.slice(last);
}

/** Rewrites the VSIX at `file` deterministically (see the top of this file). */
export function normaliseVsix(file, date) {
  const entries = readZip(readFileSync(file)).map((e) =>
    e.name === '[Content_Types].xml' ? { name: e.name, data: Buffer.from(sortContentTypes(e.data.toString('utf8')), 'utf8') } : e,
  );
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const temp = `${file}.normalising`;
  writeFileSync(temp, writeZip(entries, date), { flag: 'wx' });
  renameSync(temp, file);
}
