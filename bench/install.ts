// Installer benchmark, paired in one run against the loopback release server:
//   cold: installTool (in-process, as inside a task, from the server as a downloadBaseUrl mirror, so
//         both sides fetch the same loopback URL) of a ~30 MB archive vs
//         `curl -s -o f <url> && sha256sum -c && tar xzf` of the same archive   (target ≤ 1.3×)
//   warm: a separate `node` process whose install is a cache hit vs bare `node -e 0` (target ≤ 2×)
// Run: `npx tsc -p . && node build/bench/install.js`.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installTool } from '../tasks/common/install/index';
import { resolvePlatform } from '../tasks/common/install/platform';
import { buildReleaseArchive } from '../tests/harness/fakeTool';
import { startReleaseServer } from '../tests/harness/releaseServer';

const execFileAsync = promisify(execFile);
const ROUNDS = 5;
const ARCHIVE_BYTES = 30 * 1024 * 1024;
const VERSION = '1.0.0';
const INSTALLER = join(__dirname, '../tasks/common/install/index.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeMs(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The installer logs to stdout; keep the benchmark's own output readable. */
async function silently<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

function report(label: string, ours: number[], baselineLabel: string, baseline: number[], target: number): void {
  const ratio = median(ours) / median(baseline);
  const verdict = ratio <= target ? 'ok' : `over the ${target}× target`;
  console.log(`${label}: ${median(ours).toFixed(0)} ms vs ${baselineLabel} ${median(baseline).toFixed(0)} ms → ${ratio.toFixed(2)}× (${verdict})`);
}

export async function run(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'bench-install-'));
  const server = await startReleaseServer();
  const savedEnv = { ...process.env };
  try {
    const platform = resolvePlatform('grype', process.platform, process.arch);
    const archive = await buildReleaseArchive('grype', VERSION, platform.os, platform.arch, {}, ARCHIVE_BYTES);
    server.addRelease('grype', VERSION, [archive]);
    const archiveUrl = `${server.downloadBase('grype')}/v${VERSION}/${archive.name}`;
    const sums = `${createHash('sha256').update(archive.data).digest('hex')}  ${archive.name}\n`;
    process.env.AGENT_TEMPDIRECTORY = join(workDir, 'temp');
    mkdirSync(process.env.AGENT_TEMPDIRECTORY);

    const cold: number[] = [];
    const curl: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const toolsDir = join(workDir, `tools-${round}`);
      process.env.AGENT_TOOLSDIRECTORY = toolsDir;
      cold.push(await timeMs(() => silently(() => installTool({ tool: 'grype', version: VERSION, downloadBaseUrl: server.downloadBase('grype') }))));

      const curlDir = join(workDir, `curl-${round}`);
      mkdirSync(join(curlDir, 'x'), { recursive: true });
      writeFileSync(join(curlDir, 'sums.txt'), sums);
      const script = `curl -s -o '${archive.name}' '${archiveUrl}' && sha256sum -c --quiet sums.txt && tar xzf '${archive.name}' -C x`;
      // async: the release server runs in this process and must keep answering
      curl.push(await timeMs(() => execFileAsync('sh', ['-c', script], { cwd: curlDir })));
      rmSync(curlDir, { recursive: true, force: true });
    }

    // Warm: the last cold run's cache is the one to hit.
    const warmScript = `require(${JSON.stringify(INSTALLER)}).installTool({ tool: 'grype', version: '${VERSION}' }).catch((e) => { console.error(e); process.exit(1); })`;
    const warm: number[] = [];
    const bare: number[] = [];
    const requestsBefore = server.requests.length;
    for (let round = 0; round < ROUNDS; round++) {
      warm.push(await timeMs(() => execFileAsync(process.execPath, ['-e', warmScript], { env: process.env })));
      bare.push(await timeMs(() => execFileAsync(process.execPath, ['-e', '0'])));
    }
    if (server.requests.length !== requestsBefore) throw new Error('a warm install made HTTP requests');

    console.log(`archive ${(archive.data.length / 1024 / 1024).toFixed(1)} MB, ${ROUNDS} rounds, medians`);
    report('install cold', cold, 'curl+sha256sum+tar', curl, 1.3);
    report('install warm (cache hit, own node process)', warm, 'node -e 0', bare, 2);
  } finally {
    process.env = savedEnv;
    await server.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
