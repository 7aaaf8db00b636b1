// The packaged tasks with the real grype and syft (built by `npm run realtools`), each against the
// bare tool doing the same work in the same run:
// - GrypeScan (warm tool cache, warm DB, DB host on loopback) vs bare
//   `grype <same target>` with the same DB and DB host (grype checks for a DB update by itself
//   before scanning), once with grype's default output and once with the task's three reports,
//   on the small vulnerable project of the real-tool suite and on a dir: of about 1,000 packages
//   (the same 1,000 plus the vulnerable ones). Goal ≤ 1.05×.
// - SyftSbom on a dir: with a package-lock.json of 1,000 packages vs bare
//   `syft <same target> -o cyclonedx-json=<file>`. Goal ≤ 1.10×.
// - The DB bytes a second GrypeScan run downloads on a warm cache. Goal: latest.json only.
// Paired runs, alternating task and bare tool; medians. Run: `npm run package && npm run realtools
// && node build/bench/run.js realTools`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PINNED_VERSIONS } from '../tasks/common/install/versions';
import { addRealRelease, buildDb, findRealTools, runTool, startDbServer, toolEnv } from '../tests/harness/realTools';
import { startReleaseServer } from '../tests/harness/releaseServer';
import { NPM_PACKAGES, writeNpmProject, writeRecords } from '../tests/harness/realWorld';
import { runTask } from '../tests/harness/vsix';

const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Asynchronous: the loopback DB host runs in this process and must keep answering meanwhile. */
function timedTool(file: string, args: string[], env: Record<string, string>): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

async function timedTask(run: () => Promise<{ exitCode: number | null; stdout: string }>): Promise<number> {
  const start = process.hrtime.bigint();
  const r = await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.exitCode !== 0) throw new Error(`task failed:\n${r.stdout.slice(-2000)}`);
  return ms;
}

function line(label: string, task: number[], bare: number[], goal: number): void {
  const t = median(task);
  const b = median(bare);
  const ratio = t / b;
  console.log(`${label}: task ${t.toFixed(0)} ms vs bare ${b.toFixed(0)} ms → ${ratio.toFixed(3)}× (goal ≤ ${goal}×: ${ratio <= goal ? 'met' : 'missed'}; +${(t - b).toFixed(0)} ms)`);
}

/** A package-lock.json (v3) with `count` production dependencies, plus `extra` ones. */
function writeLargeNpmProject(dir: string, count: number, extra: { name: string; version: string }[] = []): void {
  fs.mkdirSync(dir, { recursive: true });
  const deps: Record<string, string> = {};
  const packages: Record<string, unknown> = {};
  const all = [...Array.from({ length: count }, (_, i) => ({ name: `bench-package-${String(i).padStart(4, '0')}`, version: `1.${i % 50}.${i % 7}` })), ...extra];
  for (const { name, version } of all) {
    deps[name] = version;
    packages[`node_modules/${name}`] = { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz` };
  }
  packages[''] = { name: 'bench-app', version: '1.0.0', dependencies: deps };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies: deps }));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }));
}

export async function run(): Promise<void> {
  const tools = findRealTools();
  if (!tools) {
    console.log('skipped: the real tools are not built (npm run realtools needs Go 1.26+)');
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-real-'));
  const records = path.join(root, 'records');
  writeRecords(records);
  const db = await buildDb(tools, records, path.join(root, 'db'));
  const server = await startDbServer(db);
  // The tools as a pipeline gets them: installed once from the release layout, then from the tool
  // cache (binaryPath would make SyftSbom ask `syft version`, which a cached install never does).
  const release = await startReleaseServer();
  await addRealRelease(release, 'grype', PINNED_VERSIONS.grype, tools.grype);
  await addRealRelease(release, 'syft', PINNED_VERSIONS.syft, tools.syft);
  const agentTools = { AGENT_TOOLSDIRECTORY: path.join(root, 'agent-tools') };
  try {
    const cache = path.join(root, 'dbcache');
    await runTool(tools.grype, ['db', 'import', db.archive], { GRYPE_DB_CACHE_DIR: cache });
    const project = path.join(root, 'project');
    writeNpmProject(project);
    const out = path.join(root, 'bare');
    fs.mkdirSync(out);
    const grypeEnv = toolEnv({ GRYPE_DB_CACHE_DIR: cache, GRYPE_DB_UPDATE_URL: server.url, GRYPE_DB_AUTO_UPDATE: 'true' });
    const grypeScanOf = (target: string) => () =>
      runTask('GrypeScan', { timeoutMs: 120_000, env: agentTools, inputs: { target: `dir:${target}`, downloadBaseUrl: release.downloadBase('grype'), dbCacheDirectory: cache, dbUpdateUrl: server.url } });
    const grypeTask = grypeScanOf(project);

    // Warm-up: page cache, and the task's own first run.
    await grypeTask();
    const bytesBefore = server.bytesServed();
    const second = await grypeTask();
    const served = server.requests.slice(-10).filter((r) => r.bytes > 0);
    console.log(
      `DB bytes downloaded by a second run on a warm cache: ${server.bytesServed() - bytesBefore} bytes ` +
        `(${[...new Set(served.map((r) => r.path))].join(', ') || 'nothing'}; latest.json is ${fs.statSync(path.join(db.dir, 'latest.json')).size} bytes; ` +
        `archive GETs: ${server.archiveDownloads()})${second.exitCode === 0 ? '' : ' (run failed)'}`,
    );

    const large = path.join(root, 'large');
    writeLargeNpmProject(large, 1000);
    const largeVulnerable = path.join(root, 'large-vulnerable');
    writeLargeNpmProject(largeVulnerable, 1000, NPM_PACKAGES);
    const noAutoUpdate = { ...grypeEnv, GRYPE_DB_AUTO_UPDATE: 'false' };
    for (const [label, target] of [['the real-tool project (5 packages)', project], ['a dir: of 1,005 packages', largeVulnerable]] as const) {
      const scanTask = grypeScanOf(target);
      await scanTask();
      const task: number[] = [];
      const bareDefault: number[] = [];
      const bareReports: number[] = [];
      const bareTwoSteps: number[] = [];
      const reports = [`dir:${target}`, '-o', `json=${out}/r.json`, '-o', `sarif=${out}/r.sarif`, '-o', `table=${out}/r.txt`];
      for (let i = 0; i < ROUNDS; i++) {
        task.push(await timedTask(scanTask));
        bareDefault.push(await timedTool(tools.grype, [`dir:${target}`], grypeEnv));
        bareReports.push(await timedTool(tools.grype, reports, grypeEnv));
        // What the task runs: `grype db update`, then the scan without its own update check.
        bareTwoSteps.push((await timedTool(tools.grype, ['db', 'update'], noAutoUpdate)) + (await timedTool(tools.grype, reports, noAutoUpdate)));
      }
      line(`GrypeScan on ${label} vs bare grype (default output), ${ROUNDS} paired runs`, task, bareDefault, 1.05);
      line(`GrypeScan on ${label} vs bare grype (json + sarif + table, as the task writes)`, task, bareReports, 1.05);
      line(`GrypeScan on ${label} vs bare \`grype db update\` then the same scan (the task's two grype runs)`, task, bareTwoSteps, 1.05);
    }

    const syftEnv = toolEnv();
    const syftTask = () => runTask('SyftSbom', { timeoutMs: 120_000, env: agentTools, inputs: { target: `dir:${large}`, downloadBaseUrl: release.downloadBase('syft') } });
    const warm = await syftTask();
    const count = /variable=componentCount;[^\]]*\](\d+)/.exec(warm.stdout)?.[1];
    const syftTimes: number[] = [];
    const bareSyft: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      syftTimes.push(await timedTask(syftTask));
      bareSyft.push(await timedTool(tools.syft, [`dir:${large}`, '-o', `cyclonedx-json=${out}/s.cdx.json`], syftEnv));
    }
    line(`SyftSbom vs bare syft -o cyclonedx-json, dir: of ${count} packages, ${ROUNDS} paired runs`, syftTimes, bareSyft, 1.1);
  } finally {
    await release.close();
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
