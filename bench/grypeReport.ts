// GrypeScan report processing on a ≥ 50 MB Grype JSON synthesised from the golden reports:
//   ours:     readFileSync → parseGrypeReport → rankFindings → groupByPackage (with upgrade
//             targets) → countFindings → decideResult → warningLines → buildSummary
//             (everything the task does with the report)
//   baseline: readFileSync(utf8) → JSON.parse of the same file
// Each side runs in its own child process (so peak RSS is per side), ROUNDS times, alternating.
// Targets: time ≤ 1.5× the baseline; peak RSS ≤ 5× the file size.
// Run: `npx tsc -p . && node build/bench/grypeReport.js`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GOLDEN, golden } from '../tests/harness/golden';

const ROUNDS = 5;
const TARGET_BYTES = 50 * 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A report of the pinned grype whose matches are those of the golden image and dir scans, repeated to ≥ 50 MB. */
export function synthesise(file: string): number {
  const docs = [golden(GOLDEN.grypeImageJson), golden(GOLDEN.grypeDirJson)].map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  const head = docs[0];
  const pool: string[] = docs.flatMap((d) => d.matches.map((m: unknown) => JSON.stringify(m)));
  const rest = JSON.stringify({ source: head.source, distro: head.distro, descriptor: head.descriptor }).slice(1);
  const fd = fs.openSync(file, 'w');
  let bytes = fs.writeSync(fd, '{"matches":[');
  let i = 0;
  while (bytes < TARGET_BYTES) {
    bytes += fs.writeSync(fd, (i ? ',' : '') + pool[i % pool.length]);
    i++;
  }
  bytes += fs.writeSync(fd, '],' + rest);
  fs.closeSync(fd);
  return i;
}

interface SideResult {
  ms: number;
  maxRssBytes: number;
  findings: number;
}

/** Child side: measures from reading the file to having everything the task needs. */
async function child(side: string, file: string): Promise<void> {
  // Loaded before the clock starts on both sides (module loading is not report processing).
  const { decodeReport, parseGrypeReport } = await import('../tasks/GrypeScan/report');
  const policy = await import('../tasks/GrypeScan/policy');
  const { groupByPackage, rankFindings } = await import('../tasks/GrypeScan/fixFirst');
  const { buildSummary } = await import('../tasks/GrypeScan/summary');
  const start = process.hrtime.bigint();
  let findings: number;
  if (side === 'baseline') {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    findings = doc.matches.length;
  } else {
    const report = parseGrypeReport(decodeReport(fs.readFileSync(file)), { label: file });
    const ranked = rankFindings(report.findings);
    const groups = groupByPackage(ranked);
    const counts = policy.countFindings(ranked);
    const decision = policy.decideResult(counts, groups, { warnOn: 'high', failOn: 'critical', failOnKnownExploited: true });
    const warnings = policy.warningLines(groups, 'high', { summaryName: 'Grype: registry:bench', artifactName: 'grype', reportFile: path.basename(file) });
    const md = buildSummary({
      target: 'registry:bench', counts, groups, ranked, decision, warnOnSeverity: 'high', failOnSeverity: 'critical', failOnKnownExploited: true,
      onlyFixed: false, ignoredCount: report.ignoredCount, grypeVersion: report.grypeVersion, dbBuilt: report.dbBuilt, reportFiles: [path.basename(file)],
    });
    if (!warnings.length || !md) throw new Error('nothing produced');
    findings = counts.total;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const result: SideResult = { ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, findings };
  process.stdout.write(JSON.stringify(result));
}

function runSide(side: string, file: string): SideResult {
  const r = spawnSync(process.execPath, [__filename, '--side', side, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${side} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as SideResult;
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-grype-report-'));
  try {
    const file = path.join(dir, 'big.grype.json');
    const matches = synthesise(file);
    const size = fs.statSync(file).size;
    console.log(`report: ${(size / 1048576).toFixed(1)} MB, ${matches} matches (synthesised from the golden reports)`);
    const ours: SideResult[] = [];
    const base: SideResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      base.push(runSide('baseline', file));
      ours.push(runSide('ours', file));
    }
    if (ours[0].findings !== matches || base[0].findings !== matches) throw new Error(`finding count mismatch: ${ours[0].findings} / ${base[0].findings} / ${matches}`);
    const t = median(ours.map((r) => r.ms));
    const tb = median(base.map((r) => r.ms));
    const rss = median(ours.map((r) => r.maxRssBytes));
    const rssb = median(base.map((r) => r.maxRssBytes));
    const timeRatio = t / tb;
    const rssRatio = rss / size;
    console.log(`report processing (parse, count, warnings, summary): ${t.toFixed(0)} ms vs JSON.parse ${tb.toFixed(0)} ms → ${timeRatio.toFixed(2)}× (target ≤ 1.5×: ${timeRatio <= 1.5 ? 'ok' : 'MISSED'})`);
    console.log(
      `peak RSS: ${(rss / 1048576).toFixed(0)} MB vs JSON.parse ${(rssb / 1048576).toFixed(0)} MB (${(rss / rssb).toFixed(2)}×); ` +
        `${rssRatio.toFixed(2)}× the file size (target ≤ 5×: ${rssRatio <= 5 ? 'ok' : 'MISSED'}); JSON.parse alone: ${(rssb / size).toFixed(2)}× the file size`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const sideAt = process.argv.indexOf('--side');
  if (sideAt > 0) {
    child(process.argv[sideAt + 1], process.argv[sideAt + 2]).catch((err) => {
      console.error(err);
      process.exit(1);
    });
  } else {
    run().catch((err) => {
      console.error(err);
      process.exit(1);
    });
  }
}
