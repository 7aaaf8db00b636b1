// The real grype, syft, mkdb and mkimage (built by `npm run realtools` into tests/realtools/bin),
// and the loopback services the real-tool suite runs them against: GitHub's release layout, the
// Grype DB host, and Debian's docker-registry with htpasswd.
import * as assert from 'node:assert';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, get as httpGet, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths';
import { countsOf, ExpectedFinding } from './realWorld';
import { ReleaseServer } from './releaseServer';
import { TaskRun } from './vsix';

const execFileAsync = promisify(execFile);

export interface RealTools {
  grype: string;
  syft: string;
  mkdb: string;
  mkimage: string;
  dockerRegistry?: string;
}

export const toolsManifest = path.join(repoRoot, 'tests', 'realtools', 'bin', 'tools.json');

/** The built tools, or undefined when `npm run realtools` has not built them (no Go). */
export function findRealTools(): RealTools | undefined {
  if (!fs.existsSync(toolsManifest)) return undefined;
  const tools = JSON.parse(fs.readFileSync(toolsManifest, 'utf8')) as RealTools;
  return [tools.grype, tools.syft, tools.mkdb, tools.mkimage].every((p) => p && fs.existsSync(p)) ? tools : undefined;
}

let skipNoticePrinted = false;

/**
 * For a real-tool `describe`'s `before`: the tools, or a skip (one line saying what is missing).
 * REAL_TOOLS=required (CI) turns the skip into a failure, so the suite can never silently not run.
 */
export function requireRealTools(ctx: Mocha.Context, what: (keyof RealTools)[] = []): RealTools {
  const tools = findRealTools();
  const missing = !tools
    ? 'the real grype and syft are not built (`npm run realtools` needs Go 1.26+)'
    : what.filter((k) => !tools[k]).map((k) => `${k} is not available (\`npm run realtools\` unpacks Debian's docker-registry with apt-get)`).join('; ');
  if (!missing) return tools!;
  if (process.env.REAL_TOOLS === 'required') throw new Error(`REAL_TOOLS=required, but ${missing}`);
  if (!skipNoticePrinted) {
    console.log(`  real-tool suite skipped: ${missing}`);
    skipNoticePrinted = true;
  }
  ctx.skip();
}

/** Environment for running the real tools directly (tests' own preparation, never the task). */
export function toolEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(GRYPE_|SYFT_)/.test(k)) env[k] = v;
  return { ...env, GRYPE_CHECK_FOR_APP_UPDATE: 'false', SYFT_CHECK_FOR_APP_UPDATE: 'false', GRYPE_DB_AUTO_UPDATE: 'false', ...extra };
}

export async function runTool(file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(file, args, { env: toolEnv(extraEnv), maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(file)} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Releases: the real binaries in GitHub's layout
// ---------------------------------------------------------------------------------------------

const packedArchives = new Map<string, Buffer>();

/** `<tool>_<ver>_linux_<arch>.tar.gz` holding the real binary at its root (packed once per process). */
export async function releaseArchive(tool: 'grype' | 'syft', version: string, binary: string, arch: string): Promise<{ name: string; data: Buffer }> {
  const name = `${tool}_${version}_linux_${arch}.tar.gz`;
  let data = packedArchives.get(name);
  if (!data) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'real-release-'));
    try {
      fs.copyFileSync(binary, path.join(work, tool));
      fs.chmodSync(path.join(work, tool), 0o755);
      // -1: fast gzip; the archive is packed once and only read back over loopback.
      await execFileAsync('sh', ['-c', `tar cf - -C "$1" "$2" | gzip -1 > "$3"`, 'pack', work, tool, path.join(work, name)]);
      data = fs.readFileSync(path.join(work, name));
      packedArchives.set(name, data);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  return { name, data };
}

/** Adds the real tool as release v<version> (with its checksums file) to the loopback release server. */
export async function addRealRelease(server: ReleaseServer, tool: 'grype' | 'syft', version: string, binary: string): Promise<void> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  server.addRelease(tool, version, [await releaseArchive(tool, version, binary, arch)]);
}

// ---------------------------------------------------------------------------------------------
// The vulnerability DB: built with mkdb, served like grype.anchore.io/databases
// ---------------------------------------------------------------------------------------------

export interface BuiltDb {
  dir: string;
  archive: string;
  built: string;
}

export async function buildDb(tools: RealTools, recordsDir: string, outDir: string, built?: Date): Promise<BuiltDb> {
  await runTool(tools.mkdb, [...(built ? ['-built', built.toISOString().replace(/\.\d{3}Z$/, 'Z')] : []), recordsDir, outDir]);
  const latest = JSON.parse(fs.readFileSync(path.join(outDir, 'latest.json'), 'utf8')) as { path: string; built: string };
  return { dir: outDir, archive: path.join(outDir, latest.path), built: latest.built };
}

export interface DbServer {
  /** the dbUpdateUrl: grype asks for `<url>/v6/latest.json`, then the archive beside it */
  url: string;
  /** serve this DB from now on */
  serve(db: BuiltDb): void;
  /** every request, with the body bytes sent */
  requests: { method: string; path: string; bytes: number }[];
  /** how many GETs of an archive (not HEADs, not latest.json) */
  archiveDownloads(): number;
  /** body bytes sent so far */
  bytesServed(): number;
  close(): Promise<void>;
}

export async function startDbServer(initial?: BuiltDb): Promise<DbServer> {
  let current = initial;
  const requests: { method: string; path: string; bytes: number }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const p = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const request = { method: req.method ?? 'GET', path: p, bytes: 0 };
    requests.push(request);
    let file: string | undefined;
    if (current && p === '/v6/latest.json') file = path.join(current.dir, 'latest.json');
    else if (current && p === `/v6/${path.basename(current.archive)}`) file = current.archive;
    if (!file) {
      res.writeHead(404, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/gzip', 'Content-Length': body.length });
    // grype sends a HEAD before the GET of the archive.
    if (req.method !== 'HEAD') request.bytes = body.length;
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    serve: (db) => void (current = db),
    requests,
    archiveDownloads: () => requests.filter((r) => r.method === 'GET' && r.path.endsWith('.tar.gz')).length,
    bytesServed: () => requests.reduce((n, r) => n + r.bytes, 0),
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens: a DB host that is down. */
export async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------------------------------------
// Debian's docker-registry on 127.0.0.1 with htpasswd
// ---------------------------------------------------------------------------------------------

export interface Registry {
  /** 127.0.0.1:<port> (GRYPE_REGISTRY_AUTH_AUTHORITY must be exactly this) */
  authority: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export async function startRegistry(tools: RealTools, workDir: string): Promise<Registry> {
  if (!tools.dockerRegistry) throw new Error('docker-registry is not available');
  const username = 'scanner';
  // `;`, `%` and `]` are what logging commands must escape: the secret has to survive them.
  const password = 'pa;ss%wo]rd-real';
  fs.mkdirSync(workDir, { recursive: true });
  const htpasswd = (await runTool(tools.mkimage, ['-htpasswd', username], { MKIMAGE_PASSWORD: password })).stdout;
  fs.writeFileSync(path.join(workDir, 'htpasswd'), htpasswd);
  const port = Number(new URL(await deadUrl()).port);
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(workDir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    'auth:',
    '  htpasswd:',
    '    realm: realtools',
    `    path: ${path.join(workDir, 'htpasswd')}`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(workDir, 'config.yml'), config);
  const child: ChildProcess = spawn(tools.dockerRegistry, ['serve', path.join(workDir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const authority = `127.0.0.1:${port}`;
  // Ready when /v2/ answers (401 without credentials).
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`);
    const status = await new Promise<number>((resolve) => {
      const req = httpGet(`http://${authority}/v2/`, (res: IncomingMessage) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
    if (status === 401) break;
    if (Date.now() > deadline) throw new Error(`docker-registry did not start on ${authority}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    authority,
    username,
    password,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Assertions on real runs
// ---------------------------------------------------------------------------------------------

interface GrypeMatch {
  vulnerability: { id: string; severity: string; fix?: { versions?: string[]; state?: string } };
  artifact: { name: string; version: string; type: string };
}

/** The run's log without debug lines, for assertion messages. */
export function explain(run: TaskRun): string {
  return `\n--- stdout ---\n${run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n')}\n--- stderr ---\n${run.stderr}`;
}

/** The (id, package, version, type) set of a Grype JSON report, sorted, for comparing with expectations. */
export function findingKeys(reportFile: string): string[] {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { matches: GrypeMatch[] };
  return report.matches.map((m) => `${m.vulnerability.id} ${m.artifact.name}@${m.artifact.version} (${m.artifact.type})`).sort();
}

export function expectedKeys(findings: ExpectedFinding[]): string[] {
  return findings.map((f) => `${f.id} ${f.package}@${f.version} (${f.type})`).sort();
}

export function assertCounts(run: TaskRun, findings: ExpectedFinding[]): void {
  const c = countsOf(findings);
  const v = run.variables;
  assert.deepStrictEqual(
    {
      critical: v.criticalCount, high: v.highCount, medium: v.mediumCount, low: v.lowCount,
      negligible: v.negligibleCount, unknown: v.unknownCount, total: v.totalCount, fixable: v.fixableCount, max: v.maxSeverity,
    },
    {
      critical: String(c.critical), high: String(c.high), medium: String(c.medium), low: String(c.low),
      negligible: String(c.negligible), unknown: String(c.unknown), total: String(c.total), fixable: String(c.fixable), max: c.maxSeverity,
    },
    explain(run),
  );
}

