// Black-box harness: finds the packaged VSIX, extracts it once per test process, and runs a task's
// bundled index.js the way the Azure Pipelines agent's Node handler does (environment, inputs,
// endpoints, working directory, logging-command parsing). Later black-box tests build on this API.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { repoRoot } from './paths';

export type TaskName = 'GrypeScan' | 'SyftSbom';

export { repoRoot };
export const outDir = path.join(repoRoot, 'out');
/**
 * The node that runs the packaged tasks: the one running the tests, or TASK_NODE (e.g. a Node 24
 * binary, to run the black-box suite as the agent's Node24 handler would).
 */
export const taskNode = process.env.TASK_NODE || process.execPath;

// ---------------------------------------------------------------------------------------------
// Locating and extracting the VSIX
// ---------------------------------------------------------------------------------------------

/** Path of the newest out/*.vsix (throws with a hint to run `npm run package` if none). */
export function vsixPath(): string {
  const candidates = fs.existsSync(outDir)
    ? fs.readdirSync(outDir).filter((f) => f.endsWith('.vsix')).map((f) => path.join(outDir, f))
    : [];
  if (candidates.length === 0) {
    throw new Error(`no VSIX in ${outDir}: run \`npm run package\` first (npm test does it for you)`);
  }
  return candidates.map((f) => ({ f, t: fs.statSync(f).mtimeMs })).sort((a, b) => b.t - a.t)[0].f;
}

/** The SBOM written next to a VSIX by scripts/package.mjs (`<publisher>.<id>-<version>.cdx.json`). */
export function sbomPathFor(vsix: string = vsixPath()): string {
  return vsix.replace(/\.vsix$/, '.cdx.json');
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  /** MS-DOS time and date fields of the central directory entry */
  dosTime: number;
  dosDate: number;
}

/** Lists a zip's entries from its central directory (no zip64: a VSIX is far below 4 GiB). */
export function listZip(buf: Buffer): ZipEntry[] {
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`corrupt zip: bad central directory entry at ${p}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      method: buf.readUInt16LE(p + 10),
      dosTime: buf.readUInt16LE(p + 12),
      dosDate: buf.readUInt16LE(p + 14),
      crc32: buf.readUInt32LE(p + 16),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localHeaderOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Reads one entry's bytes (stored or deflated). */
export function readZipEntry(buf: Buffer, e: ZipEntry): Buffer {
  const h = e.localHeaderOffset;
  if (buf.readUInt32LE(h) !== 0x04034b50) throw new Error(`corrupt zip: bad local header for ${e.name}`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return Buffer.from(data);
  if (e.method === 8) return zlib.inflateRawSync(data);
  throw new Error(`unsupported zip compression method ${e.method} for ${e.name}`);
}

/** Extracts a zip into `dest` with the built-in reader (refuses entries escaping `dest`). */
export function extractZipBuiltin(zipFile: string, dest: string): void {
  const buf = fs.readFileSync(zipFile);
  for (const e of listZip(buf)) {
    const target = path.resolve(dest, e.name);
    if (target !== dest && !target.startsWith(dest + path.sep)) throw new Error(`zip entry escapes the target: ${e.name}`);
    if (e.name.endsWith('/')) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, readZipEntry(buf, e));
  }
}

let extracted: { vsix: string; mtimeMs: number; dir: string } | undefined;
const tempRoots: string[] = [];
process.once('exit', () => {
  if (process.env.KEEP_TEST_TMP) return;
  for (const d of tempRoots) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir, removed when the test process exits (unless KEEP_TEST_TMP is set). */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempRoots.push(dir);
  return dir;
}

/** Extracts the newest VSIX (once per test process) and returns the extraction root. */
export function extractedRoot(): string {
  const vsix = vsixPath();
  const mtimeMs = fs.statSync(vsix).mtimeMs;
  if (extracted && extracted.vsix === vsix && extracted.mtimeMs === mtimeMs) return extracted.dir;
  const dir = scratchDir('vsix-');
  const unzip = process.platform !== 'win32' ? spawnSync('unzip', ['-qq', '-o', vsix, '-d', dir], { encoding: 'utf8' }) : undefined;
  if (!unzip || unzip.error || unzip.status !== 0) extractZipBuiltin(vsix, dir);
  extracted = { vsix, mtimeMs, dir };
  return dir;
}

/** Extracts the VSIX once per test process into a temp dir and returns the folder of the task, e.g. <tmp>/tasks/GrypeScan */
export function extractedTaskDir(task: TaskName): string {
  const dir = path.join(extractedRoot(), 'tasks', task);
  if (!fs.existsSync(path.join(dir, 'task.json'))) {
    throw new Error(`${vsixPath()} has no tasks/${task}/task.json (is the task listed in vss-extension.json files[]?)`);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Logging commands, parsed like the agent (Microsoft.VisualStudio.Services.Agent/Command.cs)
// ---------------------------------------------------------------------------------------------

export interface VsoCommand {
  /** `area.event` lower-cased, e.g. 'task.setvariable' (the agent matches names case-insensitively) */
  command: string;
  /** property keys lower-cased (the agent's dictionary is case-insensitive), values unescaped */
  properties: Record<string, string>;
  /** unescaped */
  message: string;
}

const PREFIX = '##vso[';

/** The agent's Unescape: `%3B` `%0D` `%0A` `%5D`, then `%AZP25` → `%` (in that order). */
export function unescapeVso(s: string): string {
  return s
    .split('%3B').join(';')
    .split('%0D').join('\r')
    .split('%0A').join('\n')
    .split('%5D').join(']')
    .split('%AZP25').join('%');
}

/** .NET `s.Split('=', 2, RemoveEmptyEntries)`. */
function splitPair(s: string): string[] {
  const t = s.replace(/^=+/, '');
  if (!t) return [];
  const i = t.indexOf('=');
  if (i < 0) return [t];
  const rest = t.slice(i + 1).replace(/^=+/, '');
  return rest ? [t.slice(0, i), rest] : [t.slice(0, i)];
}

/**
 * Parses one output line like the agent's `Command.TryParse`: the prefix `##vso[` may appear
 * ANYWHERE in the line (IndexOf, case-sensitive); the first `]` after it ends the command info;
 * the name must split on '.' into exactly two non-empty parts; properties are `;`-separated
 * `k=v` pairs (pairs without a value are dropped). Returns undefined if the agent would print
 * the line as plain output.
 */
export function parseVsoLine(line: string): VsoCommand | undefined {
  const at = line.indexOf(PREFIX);
  if (at < 0) return undefined;
  const rb = line.indexOf(']', at);
  if (rb < 0) return undefined;
  const info = line.slice(at + PREFIX.length, rb);
  const sp = info.indexOf(' ');
  const name = sp < 0 ? info : info.slice(0, sp);
  const parts = name.split('.').filter(Boolean);
  if (parts.length !== 2) return undefined;
  const properties: Record<string, string> = {};
  if (sp > 0) {
    for (const prop of info.slice(sp + 1).split(';').filter(Boolean)) {
      const pair = splitPair(prop);
      if (pair.length === 2) properties[pair[0].toLowerCase()] = unescapeVso(pair[1]);
    }
  }
  return { command: parts.join('.').toLowerCase(), properties, message: unescapeVso(line.slice(rb + 1)) };
}

/** Splits output into lines like .NET `ReadLine` (\n, \r\n and a bare \r all end a line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** All commands the agent would execute for this output (stdout or stderr: it reads both). */
export function parseVsoCommands(text: string): VsoCommand[] {
  return splitLines(text).map(parseVsoLine).filter((c): c is VsoCommand => c !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Running a task like the agent's Node handler
// ---------------------------------------------------------------------------------------------

export interface TaskRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** every command the agent would process, in the order lines arrived (stdout and stderr) */
  commands: VsoCommand[];
  /** result of `task.complete`, merged pessimistically like the agent when there are several */
  result?: string;
  /** what the agent would record: `result`, but Failed when the process exits non-zero / is killed */
  agentResult: string;
  /** `task.setvariable` name → value (last wins) */
  variables: Record<string, string>;
  /** `task.logissue`/`task.issue` messages by type */
  warnings: string[];
  errors: string[];
  /** true if the run hit `timeoutMs` and was killed */
  timedOut: boolean;
  /** the directories the run used (defaults under a fresh temp dir unless overridden via env) */
  dirs: { work: string; tools: string; temp: string; sources: string; artifacts: string; binaries: string };
  /** the environment the task ran with */
  env: Record<string, string>;
  /** the INPUT_* values the task received (task.json defaults + inputs, macros expanded) */
  inputs: Record<string, string>;
}

export interface EndpointSpec {
  url?: string;
  /** e.g. 'UsernamePassword', 'Token', 'None' */
  scheme?: string;
  parameters?: Record<string, string>;
  data?: Record<string, string>;
}

export interface RunTaskOptions {
  /** task inputs by task.json name; task.json defaults fill the rest, as the agent does */
  inputs?: Record<string, string>;
  /** environment overrides (pipeline variables as env vars, AGENT_*, BUILD_*, …); undefined removes a variable */
  env?: Record<string, string | undefined>;
  /** service connections by id (the value of a connectedService input): ENDPOINT_* variables */
  endpoints?: Record<string, EndpointSpec>;
  /** kill (SIGKILL) after this long; default 60 s */
  timeoutMs?: number;
  /** send `signal` after `ms` (cancellation tests) */
  killAfterMs?: { ms: number; signal: NodeJS.Signals };
  /** data written to the task's stdin (default: none, stdin closed) */
  stdin?: string;
  /**
   * Run as a job of a classic release pipeline: System.HostType=release, no Build.* variables,
   * Release.* variables, and the working directory (System.DefaultWorkingDirectory, where empty
   * filePath inputs point) is the release's artifacts folder `_work/r1/a`, as the agent's
   * ReleaseJobExtension sets it up.
   */
  release?: boolean;
}

/** Environment variable name for a pipeline variable / input name, as the agent and task-lib form it. */
export function envName(name: string): string {
  return name.replace(/\./g, '_').replace(/ /g, '_').toUpperCase();
}

/**
 * Safety net like TASK_NODE_URL in tests/hooks.ts: the agent's proxy is a dead loopback port, so a
 * run with default inputs that tries to download from github.com fails fast instead of reaching the
 * internet; loopback servers (Dependency-Track, mirrors) bypass it. Tests that install from
 * "GitHub" pass the env of tests/harness/fakeGitHub.ts instead (a proxy that refuses any other host).
 */
export const NO_INTERNET_PROXY = {
  AGENT_PROXYURL: 'http://127.0.0.1:9',
  AGENT_PROXYBYPASSLIST: JSON.stringify(['^https?://127\\.0\\.0\\.1[:/]']),
};

/** Prefixes of inherited variables that would leak the test runner's own pipeline/agent state into the task. */
const SCRUBBED = /^(INPUT_|ENDPOINT_|SECUREFILE_|SECRET_|AGENT_|BUILD_|SYSTEM_|RELEASE_|PIPELINE_|RESOURCES_|TF_BUILD$|VSTS_|GRYPE_|SYFT_|TASK_)/i;

const RESULT_ORDER = ['Succeeded', 'SucceededWithIssues', 'Failed', 'Cancelled', 'Skipped', 'Abandoned'];
/** The agent's TaskResultUtil.MergeTaskResults: the worse result wins; Cancelled/Skipped/Abandoned stick. */
export function mergeResults(current: string | undefined, coming: string): string {
  if (current === undefined) return coming;
  const c = RESULT_ORDER.findIndex((r) => r.toLowerCase() === current.toLowerCase());
  const n = RESULT_ORDER.findIndex((r) => r.toLowerCase() === coming.toLowerCase());
  if (c > 2) return current;
  return n >= c ? coming : current;
}

/** `$(Build.SourcesDirectory)` → value of BUILD_SOURCESDIRECTORY in `env`; unknown macros stay as they are (like the agent). */
export function expandMacros(value: string, env: Record<string, string>): string {
  return value.replace(/\$\(([^()]+)\)/g, (m, name: string) => {
    const v = env[envName(name.trim())];
    return v === undefined ? m : v;
  });
}

interface TaskJsonInput {
  name: string;
  type?: string;
  defaultValue?: unknown;
}

/** Release-job variables (and what the release's artifacts folder is) for RunTaskOptions.release. */
function releaseVariables(work: string): Record<string, string> {
  const artifacts = path.join(work, 'r1', 'a');
  return {
    SYSTEM_HOSTTYPE: 'release',
    AGENT_RELEASEDIRECTORY: artifacts,
    AGENT_BUILDDIRECTORY: path.join(work, 'r1'),
    SYSTEM_ARTIFACTSDIRECTORY: artifacts,
    RELEASE_ARTIFACTSDIRECTORY: artifacts,
    SYSTEM_DEFAULTWORKINGDIRECTORY: artifacts,
    RELEASE_RELEASEID: '17',
    RELEASE_RELEASENAME: 'Release-17',
    RELEASE_DEFINITIONID: '3',
    RELEASE_DEFINITIONNAME: 'blackbox-release',
    RELEASE_ENVIRONMENTNAME: 'Production',
    RELEASE_ENVIRONMENTID: '5',
    RELEASE_ATTEMPTNUMBER: '1',
    RELEASE_RELEASEWEBURL: 'https://dev.azure.com/contoso/project/_release?releaseId=17',
  };
}

/**
 * The agent's translation of a filePath input (TaskRunner.TranslateFilePathInput): a rooted path
 * made absolute; anything else, an empty value included, joined to the job's root folder
 * (Build.SourcesDirectory in a build, Release.ArtifactsDirectory in a release).
 */
export function translateFilePathInput(value: string, root: string | undefined): string {
  if (path.isAbsolute(value)) return path.resolve(value);
  return root ? path.resolve(root, value) : value;
}

/**
 * Runs `node index.js` in the extracted task dir like the agent does: every task.json input as
 * INPUT_<NAME> (defaults, overridden by `inputs`, `$(var)` macros expanded from the environment),
 * agent/build variables with temp-dir defaults, ENDPOINT_* variables, cwd = System.DefaultWorkingDirectory.
 * Never rejects for a task failure: inspect the returned TaskRun.
 */
export function runTask(task: TaskName, opts: RunTaskOptions = {}): Promise<TaskRun> {
  const taskDir = extractedTaskDir(task);
  const taskJson = JSON.parse(fs.readFileSync(path.join(taskDir, 'task.json'), 'utf8'));
  const target: string = taskJson.execution?.Node20_1?.target ?? 'index.js';

  const root = scratchDir(`run-${task}-`);
  const work = path.join(root, '_work');
  const defaults: Record<string, string> = {
    AGENT_WORKFOLDER: work,
    AGENT_TOOLSDIRECTORY: path.join(work, '_tool'),
    AGENT_TEMPDIRECTORY: path.join(work, '_temp'),
    AGENT_BUILDDIRECTORY: path.join(work, '1'),
    AGENT_HOMEDIRECTORY: path.join(root, 'agent'),
    AGENT_ROOTDIRECTORY: work,
    AGENT_NAME: 'blackbox-agent',
    AGENT_ID: '1',
    AGENT_VERSION: '4.273.0',
    AGENT_OS: process.platform === 'win32' ? 'Windows_NT' : process.platform === 'darwin' ? 'Darwin' : 'Linux',
    AGENT_OSARCHITECTURE: process.arch === 'arm64' ? 'ARM64' : 'X64',
    AGENT_JOBNAME: 'Job',
    AGENT_JOBSTATUS: 'Succeeded',
    BUILD_SOURCESDIRECTORY: path.join(work, '1', 's'),
    BUILD_REPOSITORY_LOCALPATH: path.join(work, '1', 's'),
    BUILD_ARTIFACTSTAGINGDIRECTORY: path.join(work, '1', 'a'),
    BUILD_STAGINGDIRECTORY: path.join(work, '1', 'a'),
    BUILD_BINARIESDIRECTORY: path.join(work, '1', 'b'),
    SYSTEM_DEFAULTWORKINGDIRECTORY: path.join(work, '1', 's'),
    PIPELINE_WORKSPACE: path.join(work, '1'),
    BUILD_BUILDID: '42',
    BUILD_BUILDNUMBER: '20260101.1',
    BUILD_DEFINITIONNAME: 'blackbox-pipeline',
    BUILD_REPOSITORY_NAME: 'blackbox-repo',
    BUILD_REPOSITORY_URI: 'https://dev.azure.com/contoso/project/_git/blackbox-repo',
    BUILD_SOURCEBRANCH: 'refs/heads/master',
    BUILD_SOURCEBRANCHNAME: 'master',
    BUILD_SOURCEVERSION: '0123456789abcdef0123456789abcdef01234567',
    BUILD_REASON: 'IndividualCI',
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'project',
    SYSTEM_TEAMPROJECTID: '00000000-0000-0000-0000-000000000001',
    SYSTEM_DEFINITIONID: '7',
    SYSTEM_JOBID: '00000000-0000-0000-0000-000000000002',
    SYSTEM_JOBNAME: 'Job',
    SYSTEM_PHASENAME: 'Job',
    SYSTEM_STAGENAME: '__default',
    SYSTEM_HOSTTYPE: 'build',
    SYSTEM_SERVERTYPE: 'Hosted',
    SYSTEM_CULTURE: 'en-US',
    SYSTEM_DEBUG: 'false',
    TF_BUILD: 'True',
    ...NO_INTERNET_PROXY,
    // Node also prints what later versions will deprecate (e.g. the punycode built-in, a runtime
    // warning from Node 21), so the no-Node-warnings check below sees today what a newer handler would print.
    NODE_PENDING_DEPRECATION: '1',
  };

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUBBED.test(k)) env[k] = v;
  Object.assign(env, defaults);
  if (opts.release) {
    for (const k of Object.keys(env)) if (/^BUILD_|^PIPELINE_WORKSPACE$/.test(k)) delete env[k];
    Object.assign(env, releaseVariables(work));
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const dirs = {
    work: env.AGENT_WORKFOLDER ?? work,
    tools: env.AGENT_TOOLSDIRECTORY ?? path.join(work, '_tool'),
    temp: env.AGENT_TEMPDIRECTORY ?? path.join(work, '_temp'),
    /** the job's root folder: the sources in a build, the release's artifacts folder in a release */
    sources: (opts.release ? env.RELEASE_ARTIFACTSDIRECTORY : env.BUILD_SOURCESDIRECTORY) ?? path.join(work, '1', 's'),
    artifacts: env.BUILD_ARTIFACTSTAGINGDIRECTORY ?? path.join(work, '1', 'a'),
    binaries: env.BUILD_BINARIESDIRECTORY ?? path.join(work, '1', 'b'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const cwd = env.SYSTEM_DEFAULTWORKINGDIRECTORY ?? dirs.sources;
  fs.mkdirSync(cwd, { recursive: true });

  // Inputs: every task.json input (default or ''), then the caller's, macros expanded.
  const inputs: Record<string, string> = {};
  for (const input of (taskJson.inputs ?? []) as TaskJsonInput[]) {
    const d = input.defaultValue;
    inputs[input.name] = d === undefined || d === null ? '' : String(d).trim();
  }
  for (const [k, v] of Object.entries(opts.inputs ?? {})) {
    const known = Object.keys(inputs).find((n) => n.toLowerCase() === k.toLowerCase());
    inputs[known ?? k] = v;
  }
  const filePathInputs = new Set(((taskJson.inputs ?? []) as TaskJsonInput[]).filter((i) => i.type === 'filePath').map((i) => i.name));
  const filePathRoot = opts.release ? env.RELEASE_ARTIFACTSDIRECTORY : env.BUILD_SOURCESDIRECTORY;
  for (const [k, v] of Object.entries(inputs)) {
    inputs[k] = expandMacros(v, env);
    if (filePathInputs.has(k)) inputs[k] = translateFilePathInput(inputs[k], filePathRoot);
    env[`INPUT_${envName(k)}`] = inputs[k];
  }

  for (const [id, ep] of Object.entries(opts.endpoints ?? {})) {
    if (ep.url !== undefined) env[`ENDPOINT_URL_${id}`] = ep.url;
    const scheme = ep.scheme ?? 'None';
    env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ parameters: ep.parameters ?? {}, scheme });
    env[`ENDPOINT_AUTH_SCHEME_${id}`] = scheme;
    for (const [k, v] of Object.entries(ep.parameters ?? {})) env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
    for (const [k, v] of Object.entries(ep.data ?? {})) env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
  }

  return new Promise<TaskRun>((resolve, reject) => {
    const child = spawn(taskNode, [path.join(taskDir, target)], {
      cwd,
      env,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);

    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const commands: VsoCommand[] = [];
    // Pieces of the unfinished last line: only each new chunk is scanned, so a tool printing
    // 100 MB on one line costs linear time here too.
    const pending: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
    const lastBreak = (text: string, before: number) => (before < 0 ? -1 : Math.max(text.lastIndexOf('\n', before), text.lastIndexOf('\r', before)));
    const feed = (which: 'stdout' | 'stderr', chunk: string, final = false) => {
      let end = chunk.length;
      if (!final) {
        // keep an incomplete last line (or a trailing \r that may be the first half of \r\n)
        let at = lastBreak(chunk, chunk.length - 1);
        if (at === chunk.length - 1 && chunk[at] === '\r') at = lastBreak(chunk, at - 1);
        end = at + 1;
      }
      if (end === 0 && !final) {
        if (chunk) pending[which].push(chunk);
        return;
      }
      const text = pending[which].join('') + chunk.slice(0, end);
      pending[which] = end < chunk.length ? [chunk.slice(end)] : [];
      for (const line of splitLines(text)) {
        const c = parseVsoLine(line);
        if (c) commands.push(c);
      }
    };
    const decoders = { stdout: new TextDecoder('utf-8'), stderr: new TextDecoder('utf-8') };
    child.stdout!.on('data', (b: Buffer) => {
      out.push(b);
      feed('stdout', decoders.stdout.decode(b, { stream: true }));
    });
    child.stderr!.on('data', (b: Buffer) => {
      err.push(b);
      feed('stderr', decoders.stderr.decode(b, { stream: true }));
    });

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    const killTimer = opts.killAfterMs ? setTimeout(() => child.kill(opts.killAfterMs!.signal), opts.killAfterMs.ms) : undefined;

    child.on('error', (e) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      feed('stdout', decoders.stdout.decode(), true);
      feed('stderr', decoders.stderr.decode(), true);

      let result: string | undefined;
      const variables: Record<string, string> = {};
      const warnings: string[] = [];
      const errors: string[] = [];
      for (const c of commands) {
        if (c.command === 'task.complete') {
          const r = c.properties.result;
          if (r) {
            const canonical = RESULT_ORDER.find((x) => x.toLowerCase() === r.toLowerCase()) ?? r;
            result = mergeResults(result, canonical);
          }
        } else if (c.command === 'task.setvariable' && c.properties.variable) {
          variables[c.properties.variable] = c.message;
        } else if (c.command === 'task.logissue' || c.command === 'task.issue') {
          const type = (c.properties.type ?? '').toLowerCase();
          if (type === 'warning') warnings.push(c.message);
          else if (type === 'error') errors.push(c.message);
        }
      }
      const agentResult = exitCode === 0 && !signal ? (result ?? 'Succeeded') : mergeResults(result, 'Failed');

      // Node's own warnings land in the user's log: every scenario must be free of them (run the
      // suite with TASK_NODE set to a newer Node to see what that handler would print).
      const stderrText = Buffer.concat(err).toString('utf8');
      const nodeWarning = /^\(node:\d+\) (?:\[\w+\] )?\w*Warning: .*$/m.exec(stderrText);
      if (nodeWarning) {
        reject(new Error(`${task} printed a Node warning under ${taskNode}: ${nodeWarning[0]}`));
        return;
      }

      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: stderrText,
        commands,
        result,
        agentResult,
        variables,
        warnings,
        errors,
        timedOut,
        dirs,
        env,
        inputs,
      });
    });
  });
}
