// Fake `grype` / `syft` executables and the release archives that carry them.
// The fake is a plain Node script (built-ins only, so it starts fast) with its behaviour
// baked in as JSON; tests that need to re-program an installed fake point
// FAKE_TOOL_BEHAVIOUR at a JSON file instead.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';

export interface FakeToolBehaviour {
  /** output format -> absolute fixture path. `-o <fmt>=<path>` copies the fixture to <path>; `-o <fmt>` (no path) prints it on stdout. Formats not listed: write a small placeholder text "fake <fmt> output". */
  outputs?: Record<string, string>;
  stdout?: string; // extra text printed on stdout before anything else (e.g. '##vso[task.complete result=Succeeded]')
  stderr?: string; // text printed on stderr
  /** this many bytes of 'x' printed on stderr as one line without a newline, in 1 MiB writes (a tool flooding its log) */
  stderrFloodBytes?: number;
  exitCode?: number; // default 0
  sleepMs?: number; // sleep before writing outputs (simulates a hang)
  truncateOutputs?: number; // write only the first N bytes of each output file
  /** each output file is a sparse file of this many zero bytes instead (a huge report, without writing it) */
  sparseOutputBytes?: number;
  /** behaviours for sub-commands, keyed by the joined leading non-flag args, e.g. 'db update', 'db status', 'version', 'db check'. Matched by longest prefix of argv. */
  subcommands?: Record<string, { stdout?: string; stderr?: string; exitCode?: number; sleepMs?: number }>;
  /** append one JSON line {argv: string[], env: Record<string,string>, cwd} per invocation to this file */
  recordFile?: string;
}

/**
 * The fake's runtime. Kept as source text (not a compiled function) so the script
 * is self-contained; BEHAVIOUR is substituted when the fake is written.
 */
const FAKE_TOOL_RUNTIME = `
'use strict';
const fs = require('fs');
const BAKED_BEHAVIOUR = __BEHAVIOUR__;
const behaviour = process.env.FAKE_TOOL_BEHAVIOUR
  ? JSON.parse(fs.readFileSync(process.env.FAKE_TOOL_BEHAVIOUR, 'utf8'))
  : BAKED_BEHAVIOUR;
const argv = process.argv.slice(2);

function sleep(ms) {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
// A pipe the reader has not drained yet refuses writes (EAGAIN) or takes part of them.
function writeAll(fd, data) {
  for (let at = 0; at < data.length; ) {
    try {
      at += fs.writeSync(fd, data, at);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      sleep(1);
    }
  }
}
function leadingWords(args) {
  const words = [];
  for (const a of args) { if (a.startsWith('-')) break; words.push(a); }
  return words;
}
function matchSubcommand(subcommands) {
  const words = leadingWords(argv);
  let best;
  for (const key of Object.keys(subcommands || {})) {
    const keyWords = key.split(' ').filter(Boolean);
    const matches = keyWords.length <= words.length && keyWords.every((w, i) => w === words[i]);
    if (matches && (!best || keyWords.length > best.split(' ').length)) best = key;
  }
  return best === undefined ? undefined : subcommands[best];
}
function outputRequests() {
  const requests = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let value;
    if (a === '-o' || a === '--output') value = argv[++i];
    else if (a.startsWith('--output=')) value = a.slice('--output='.length);
    else if (a.startsWith('-o') && a.length > 2) value = a.slice(2);
    if (value === undefined) continue;
    const eq = value.indexOf('=');
    requests.push(eq < 0 ? { format: value } : { format: value.slice(0, eq), file: value.slice(eq + 1) });
  }
  return requests;
}
function outputContent(format) {
  const outputs = behaviour.outputs || {};
  const fixture = outputs[format] || outputs[format.split('@')[0]];
  const data = fixture ? fs.readFileSync(fixture) : Buffer.from('fake ' + format + ' output\\n');
  return behaviour.truncateOutputs !== undefined ? data.subarray(0, behaviour.truncateOutputs) : data;
}

if (behaviour.recordFile) {
  fs.appendFileSync(behaviour.recordFile, JSON.stringify({ argv, env: process.env, cwd: process.cwd() }) + '\\n');
}
const sub = matchSubcommand(behaviour.subcommands);
const active = sub || behaviour;
if (active.stdout) fs.writeSync(1, active.stdout.endsWith('\\n') ? active.stdout : active.stdout + '\\n');
if (active.stderr) fs.writeSync(2, active.stderr.endsWith('\\n') ? active.stderr : active.stderr + '\\n');
if (!sub && behaviour.stderrFloodBytes) {
  const block = Buffer.alloc(1 << 20, 'x');
  for (let left = behaviour.stderrFloodBytes; left > 0; left -= block.length) writeAll(2, left >= block.length ? block : block.subarray(0, left));
}
sleep(active.sleepMs || 0);
if (!sub) {
  for (const request of outputRequests()) {
    const data = outputContent(request.format);
    if (request.file && behaviour.sparseOutputBytes) {
      fs.writeFileSync(request.file, '');
      fs.truncateSync(request.file, behaviour.sparseOutputBytes);
    } else if (request.file) fs.writeFileSync(request.file, data);
    else fs.writeSync(1, data);
  }
}
process.exitCode = active.exitCode || 0;
`;

function fakeToolScript(behaviour: FakeToolBehaviour): string {
  return '#!/usr/bin/env node\n' + FAKE_TOOL_RUNTIME.replace('__BEHAVIOUR__', () => JSON.stringify(behaviour));
}

/** Writes an executable fake `<tool>` (a `#!/usr/bin/env node` script, mode 0755) into dir, with `behaviour` baked in. Returns its path. At run time, if env FAKE_TOOL_BEHAVIOUR names a JSON file, that behaviour is used instead (lets one installed fake be re-programmed per test). */
export function writeFakeTool(dir: string, tool: 'grype' | 'syft', behaviour: FakeToolBehaviour = {}): string {
  const path = resolve(dir, tool);
  writeFileSync(path, fakeToolScript(behaviour), { mode: 0o755 });
  chmodSync(path, 0o755); // the umask may have stripped bits from writeFileSync's mode
  return path;
}

const execFileAsync = promisify(execFile);

/** A release asset as GitHub would serve it: `<tool>_<ver>_<os>_<arch>.tar.gz` (binary `<tool>` at the archive root) or `.zip` for windows (binary `<tool>.exe`). `padToBytes` adds a random `padding.bin` of that size, so the archive is a little larger. */
export async function buildReleaseArchive(
  tool: 'grype' | 'syft',
  version: string,
  os: string,
  arch: string,
  behaviour: FakeToolBehaviour = {},
  padToBytes?: number,
): Promise<{ name: string; data: Buffer }> {
  const script = Buffer.from(fakeToolScript(behaviour));
  // Random bytes so gzip cannot shrink them: the archive ends up slightly larger than padToBytes.
  const padding = padToBytes ? randomBytes(padToBytes) : undefined;
  if (os === 'windows') {
    const entries = [{ name: `${tool}.exe`, data: script }];
    if (padding) entries.push({ name: 'padding.bin', data: padding });
    return { name: `${tool}_${version}_${os}_${arch}.zip`, data: storedZip(entries) };
  }
  const work = mkdtempSync(join(tmpdir(), 'fake-release-'));
  try {
    writeFileSync(join(work, tool), script, { mode: 0o755 });
    chmodSync(join(work, tool), 0o755);
    const members: string[] = [tool];
    if (padding) {
      writeFileSync(join(work, 'padding.bin'), padding);
      members.push('padding.bin');
    }
    const archive = join(work, 'release.tar.gz');
    await execFileAsync('tar', ['czf', archive, '-C', work, ...members]);
    return { name: `${tool}_${version}_${os}_${arch}.tar.gz`, data: readFileSync(archive) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** sha256sum-format checksums text for assets */
export function checksumsFile(assets: { name: string; data: Buffer }[]): string {
  return assets.map((a) => `${createHash('sha256').update(a.data).digest('hex')}  ${a.name}\n`).join('');
}

/** A zip of uncompressed ("stored") entries, marked as Unix files with mode 0755 so unzip keeps the exec bit. */
function storedZip(entries: { name: string; data: Buffer }[]): Buffer {
  const MADE_BY_UNIX = (3 << 8) | 20;
  const UNIX_MODE_0755 = (0o100755 << 16) >>> 0;
  const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt32LE(DOS_DATE_1980_01_01 << 16, 10); // dos time + date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(DOS_DATE_1980_01_01 << 16, 12); // dos time + date
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra length
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(UNIX_MODE_0755, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
