// Black-box tests of GrypeScan@1: the bundled index.js from the packaged VSIX, run like the agent
// runs it, with a fake grype (tests/harness/fakeTool) that writes real reports: the golden outputs
// of the pinned grype for realWorld.ts, whose records give the expected counts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { basicProxyAuthorization } from '../harness/connectProxy';
import { startFakeGitHub } from '../harness/fakeGitHub';
import { buildReleaseArchive, FakeToolBehaviour, writeFakeTool } from '../harness/fakeTool';
import { runTask, RunTaskOptions, TaskRun } from '../harness/vsix';
import { archiveAssetName, resolvePlatform } from '../../tasks/common/install/platform';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { reportStem } from '../../tasks/common/target';
import { GOLDEN, golden, GOLDEN_DB_BUILT, writeReportWithSeverities } from '../harness/golden';
import { fixture } from '../harness/paths';
import { expectedPackageWarnings } from '../harness/packageWarnings';
import { countsOf, EXPECTED_DEBIAN } from '../harness/realWorld';
import { scratchDirs } from '../harness/scratch';

/** The report file stem of the main scenario: target registry:exam:v1 in job 'Job'. */
const EXAM_STEM = reportStem('registry:exam:v1', 'Job');

const D12 = golden(GOLDEN.grypeImageJson); // the Debian 12 image of realWorld.ts
const SARIF = golden(GOLDEN.grypeImageSarif);
const TABLE = golden(GOLDEN.grypeImageTable);
const DB_STATUS_JSON = fs.readFileSync(golden(GOLDEN.grypeDbStatusJson), 'utf8');
const d12 = countsOf(EXPECTED_DEBIAN);
/** "3 findings in 3 packages: 1 Critical, 1 High, 1 Medium; 2 with a fix; 1 known exploited": the image's counts line. */
const d12CountsLine = (() => {
  const severities = (['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const).map((s) => [s, d12[s.toLowerCase() as Lowercase<typeof s>]] as const).filter(([, n]) => n > 0);
  const packages = new Set(EXPECTED_DEBIAN.map((f) => f.package)).size;
  return `${d12.total} findings in ${packages} packages: ${severities.map(([s, n]) => `${n} ${s}`).join(', ')}; ${d12.fixable} with a fix; ${d12.knownExploited} known exploited`;
})();
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const tempDir = scratchDirs();

const okDb: FakeToolBehaviour['subcommands'] = {
  'db update': { stdout: 'Vulnerability database updated to latest version!' },
  'db status': { stdout: DB_STATUS_JSON },
};

function fake(behaviour: FakeToolBehaviour): { grype: string; record: string } {
  const dir = tempDir('fake-grype-');
  const record = path.join(dir, 'record.jsonl');
  const grype = writeFakeTool(dir, 'grype', { subcommands: okDb, outputs: { json: D12, sarif: SARIF, table: TABLE }, recordFile: record, ...behaviour });
  return { grype, record };
}

function recorded(record: string): { argv: string[]; env: Record<string, string> }[] {
  return fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

async function grypeRun(behaviour: FakeToolBehaviour, opts: RunTaskOptions = {}): Promise<TaskRun & { record: string }> {
  const { grype, record } = fake(behaviour);
  const run = await runTask('GrypeScan', { timeoutMs: 30_000, ...opts, inputs: { binaryPath: grype, ...(opts.inputs ?? {}) } });
  return { ...run, record };
}

const cmds = (run: TaskRun, name: string) => run.commands.filter((c) => c.command === name);
const completes = (run: TaskRun) => cmds(run, 'task.complete');
const indexOf = (run: TaskRun, name: string) => run.commands.findIndex((c) => c.command === name);
function explain(run: TaskRun): string {
  return `\n--- stdout ---\n${run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n')}\n--- stderr ---\n${run.stderr}`;
}

describe('GrypeScan black-box (built VSIX, fake grype)', function () {
  this.timeout(60_000);

  describe('happy path with the debian 12 image report', () => {
    let run: TaskRun & { record: string };
    before(async () => {
      run = await grypeRun({}, { inputs: { target: 'registry:exam:v1' } });
    });

    it('completes SucceededWithIssues once, as the last command, and the process exits 0', () => {
      assert.strictEqual(run.exitCode, 0, explain(run));
      assert.strictEqual(completes(run).length, 1, explain(run));
      assert.strictEqual(run.result, 'SucceededWithIssues');
      assert.strictEqual(run.commands[run.commands.length - 1].command, 'task.complete');
      assert.ok(completes(run)[0].message.includes(`${d12.critical + d12.high} vulnerabilities at or above High`), completes(run)[0].message);
    });
    it('ran db update, then one scan with -o fmt=path for every format and no --fail-on', () => {
      const calls = recorded(run.record).map((c) => c.argv);
      assert.deepStrictEqual(calls[0], ['db', 'update']);
      const scan = calls[1];
      assert.strictEqual(calls.length, 2, 'the DB build date comes from the report: no db status call');
      assert.strictEqual(scan[0], 'registry:exam:v1');
      const outputs = scan.filter((_, i) => scan[i - 1] === '-o');
      assert.deepStrictEqual(outputs.map((o) => o.split('=')[0]), ['json', 'sarif', 'table']);
      assert.ok(outputs[0].endsWith(path.join('output_grype', `${EXAM_STEM}.grype.json`)), outputs[0]);
      assert.ok(!scan.includes('--fail-on'));
      const env = recorded(run.record)[1].env;
      assert.strictEqual(env.GRYPE_CHECK_FOR_APP_UPDATE, 'false');
      assert.strictEqual(env.GRYPE_DB_AUTO_UPDATE, 'false');
      assert.strictEqual(env.GRYPE_DB_CACHE_DIR, path.join(run.dirs.tools, 'grype', 'db'));
    });
    it('logs the DB build date (from the report descriptor)', () => {
      assert.match(run.stdout, new RegExp(`Grype vulnerability database: built ${GOLDEN_DB_BUILT} \\(.* old\\), schema v6\\.\\d+\\.\\d+`));
    });
    it('warnings: the stale DB, then one per package with a finding at or above High or known exploited, most urgent first, with the upgrade', () => {
      const issues = cmds(run, 'task.logissue').filter((c) => c.properties.type === 'warning').map((c) => c.message);
      assert.ok(issues[0].startsWith(`The Grype vulnerability database used for this scan was built ${GOLDEN_DB_BUILT} (`) && / days old\), more than 2 days ago/.test(issues[0]), issues[0]);
      assert.deepStrictEqual(issues.slice(1), expectedPackageWarnings(EXPECTED_DEBIAN, 'High'));
    });
    it('output variables (isOutput=true)', () => {
      assert.deepStrictEqual(
        { ...run.variables, jsonReport: path.basename(run.variables.jsonReport), sarifReport: path.basename(run.variables.sarifReport) },
        {
          criticalCount: String(d12.critical), highCount: String(d12.high), mediumCount: String(d12.medium), lowCount: String(d12.low), negligibleCount: String(d12.negligible), unknownCount: String(d12.unknown),
          totalCount: String(d12.total), fixableCount: String(d12.fixable), knownExploitedCount: String(d12.knownExploited), maxSeverity: d12.maxSeverity,
          jsonReport: `${EXAM_STEM}.grype.json`, sarifReport: `${EXAM_STEM}.grype.sarif`, grypeVersion: PINNED_VERSIONS.grype,
          newCount: '', fixedCount: '', exceptedCount: '0',
        },
      );
      for (const c of cmds(run, 'task.setvariable')) assert.strictEqual(c.properties.isoutput, 'true', c.properties.variable);
    });
    it('artifact uploads (reports + CodeAnalysisLogs), summary and tag all come before task.complete', () => {
      const uploads = cmds(run, 'artifact.upload');
      const grypeUploads = uploads.filter((u) => u.properties.artifactname === 'grype').map((u) => path.basename(u.message));
      assert.deepStrictEqual(grypeUploads, [`${EXAM_STEM}.grype.json`, `${EXAM_STEM}.grype.sarif`, `${EXAM_STEM}.grype.table.txt`]);
      const sarif = uploads.filter((u) => u.properties.artifactname === 'CodeAnalysisLogs');
      assert.strictEqual(sarif.length, 1);
      assert.strictEqual(sarif[0].properties.containerfolder, 'CodeAnalysisLogs');
      assert.ok(sarif[0].message.endsWith('.grype.sarif'));
      assert.deepStrictEqual(cmds(run, 'build.addbuildtag').map((c) => c.message), ['vulnerable-critical']);
      const done = indexOf(run, 'task.complete');
      for (const name of ['artifact.upload', 'task.addattachment', 'build.addbuildtag', 'task.setvariable', 'task.logissue']) {
        assert.ok(indexOf(run, name) >= 0 && indexOf(run, name) < done, name);
      }
      assert.ok(indexOf(run, 'artifact.upload') < indexOf(run, 'task.addattachment'));
    });
    it('writes the reports and a Markdown summary into the output directory', () => {
      const out = path.join(run.dirs.artifacts, 'output_grype');
      assert.deepStrictEqual(fs.readdirSync(out).sort(), [
        `${EXAM_STEM}.grype-summary.md`,
        `${EXAM_STEM}.grype.json`,
        `${EXAM_STEM}.grype.sarif`,
        `${EXAM_STEM}.grype.table.txt`,
      ]);
      assert.deepStrictEqual(fs.readFileSync(path.join(out, `${EXAM_STEM}.grype.json`)), fs.readFileSync(D12));
      // Attached as a named summary (the Extensions tab section "Grype: registry:exam:v1"), with the
      // colons the agent refuses in a name on Windows replaced by a look-alike.
      assert.strictEqual(cmds(run, 'task.uploadsummary').length, 0);
      const [attachment] = cmds(run, 'task.addattachment');
      assert.deepStrictEqual(attachment.properties, { type: 'Distributedtask.Core.Summary', name: 'Grype꞉ registry꞉exam꞉v1' });
      assert.strictEqual(attachment.message, path.join(out, `${EXAM_STEM}.grype-summary.md`));
      const md = fs.readFileSync(attachment.message, 'utf8');
      assert.ok(md.includes(`\n**${d12CountsLine}**\n`), md);
      assert.match(md, /#### Fix first \(all 3 packages, most urgent first\)/);
      // The known-exploited High first, with its EPSS and the upgrade in Debian's version order.
      assert.match(md, /^\| libfreetype6 \(deb\) \| 2\.12\.1\+dfsg-5 \| 1 High \| 1 \| 77\.1 % \| 2\.12\.1\+dfsg-5\+deb12u4 \|$/m);
      assert.ok(md.includes(`Top findings (all ${d12.total} findings, most urgent first)`), md);
      assert.match(md, new RegExp(`Grype ${escapeRegExp(PINNED_VERSIONS.grype)} · vulnerability DB built ${GOLDEN_DB_BUILT} \\(\\d+ days old\\), schema v6\\.\\d+\\.\\d+`));
      assert.match(md, /`registry:exam:v1`/);
    });
    it('logs one line of counts, not the findings (they are in the warnings, the summary and the reports)', () => {
      assert.ok(run.stdout.includes(`\nGrype found ${d12CountsLine}.\n`), explain(run));
      assert.doesNotMatch(run.stdout, /^ {2}CVE-/m);
    });
  });

  describe('thresholds and publishing switches', () => {
    it('failOnSeverity critical → Failed, reports still published before the result', async () => {
      // more findings at or above Medium than the agent keeps warnings
      const many = writeReportWithSeverities({ Critical: 2, High: 3, Medium: 21, Low: 9 }, tempDir('many-'));
      const run = await grypeRun({ outputs: { json: many } }, { inputs: { failOnSeverity: 'critical', warnOnSeverity: 'medium' } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /2 vulnerabilities at or above Critical \(failOnSeverity: critical\)/);
      assert.ok(indexOf(run, 'artifact.upload') >= 0 && indexOf(run, 'artifact.upload') < indexOf(run, 'task.complete'));
      const warnings = cmds(run, 'task.logissue').map((c) => c.message);
      // The stale-DB warning, 7 packages, "19 more" (26 packages have a Medium+ finding): 9, beside the result's error.
      assert.strictEqual(warnings.length, 9);
      assert.match(warnings[0], /^The Grype vulnerability database used for this scan was built /);
      assert.match(
        warnings[8],
        /^19 more packages with findings at or above Medium or known exploited; see the summary "Grype: dir:\S+" in the run's Extensions tab and the grype artifact \(dir-s-job-[0-9a-f]{8}\.grype\.json\)$/,
      );
    });
    it('zero findings → Succeeded, maxSeverity None, no tag, no warnings', async () => {
      const run = await grypeRun({ outputs: { json: golden(GOLDEN.grypeEmptyJson), sarif: golden(GOLDEN.grypeEmptySarif) } });
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      assert.strictEqual(run.variables.maxSeverity, 'None');
      assert.strictEqual(run.variables.totalCount, '0');
      assert.strictEqual(cmds(run, 'build.addbuildtag').length, 0);
      // Only the golden DB, more than 2 days old, warns.
      assert.strictEqual(run.warnings.length, 1);
      assert.ok(run.warnings[0].startsWith(`The Grype vulnerability database used for this scan was built ${GOLDEN_DB_BUILT} (`), run.warnings[0]);
    });
    it('artifactName none and publishSarif false: files written, nothing uploaded', async () => {
      const run = await grypeRun({}, { inputs: { artifactName: 'none', publishSarif: 'false', outputFormats: 'json' } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.strictEqual(cmds(run, 'artifact.upload').length, 0);
      assert.strictEqual(run.variables.sarifReport, '');
      assert.ok(fs.existsSync(run.variables.jsonReport));
    });
    it('UTF-16LE report with onlyFixed', async () => {
      // hand-written: 3 findings, 2 with a fixed version
      const run = await grypeRun({ outputs: { json: fixture('grype-json', 'grype-0.91-shape-utf16le-bom.json') } }, { inputs: { onlyFixed: 'true', outputFormats: 'json' } });
      assert.strictEqual(run.variables.totalCount, '2', explain(run));
      const scan = recorded(run.record)[1].argv;
      assert.ok(scan.includes('--only-fixed'));
    });
    it('a grype.yaml in the sources directory is passed with -c and logged', async () => {
      const sources = tempDir('src-');
      fs.writeFileSync(path.join(sources, 'grype.yaml'), 'only-fixed: false\n');
      const run = await grypeRun({}, { env: { BUILD_SOURCESDIRECTORY: sources }, inputs: { target: `dir:${sources}` } });
      const scan = recorded(run.record)[1].argv;
      assert.strictEqual(scan[scan.indexOf('-c') + 1], path.join(sources, 'grype.yaml'));
      assert.match(run.stdout, /Using grype config file .*grype\.yaml \(found in the sources directory\)/);
    });
    it("the user's own --fail-on (exit 2 with a complete report) fails as policy, not as a crash", async () => {
      const run = await grypeRun({ exitCode: 2, stderr: 'discovered vulnerabilities at or above the severity threshold' }, { inputs: { additionalArguments: '--fail-on high' } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /Grype's own fail-on severity .* was reached: it exited with code 2/);
      assert.strictEqual(run.variables.criticalCount, String(d12.critical));
      assert.ok(indexOf(run, 'artifact.upload') < indexOf(run, 'task.complete'));
      assert.deepStrictEqual(recorded(run.record)[1].argv.slice(-2), ['--fail-on', 'high']);
    });
    it('additionalArguments: backslashes as on the agent\'s platform (Windows paths kept there, sh escapes elsewhere)', async () => {
      const windows = process.platform === 'win32';
      const given = windows ? String.raw`--exclude C:\src\test\** --exclude \\server\share\x --exclude ./my\ dir` : String.raw`--exclude \*.log --exclude ./my\ dir`;
      const run = await grypeRun({}, { inputs: { additionalArguments: given } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      const expected = windows ? ['--exclude', String.raw`C:\src\test\**`, '--exclude', String.raw`\\server\share\x`, '--exclude', './my dir'] : ['--exclude', '*.log', '--exclude', './my dir'];
      assert.deepStrictEqual(recorded(run.record)[1].argv.slice(-expected.length), expected);
    });
  });

  describe('classic release pipeline: no Build.* directories, so their macros stay unexpanded', () => {
    const release = { BUILD_ARTIFACTSTAGINGDIRECTORY: undefined, BUILD_STAGINGDIRECTORY: undefined, BUILD_SOURCESDIRECTORY: undefined, PIPELINE_WORKSPACE: undefined };
    it('default outputDirectory → <Agent.TempDirectory>/output_grype, said in one line; dbCacheDirectory likewise → the default cache', async () => {
      const run = await grypeRun({}, { env: release, inputs: { target: 'dir:$(System.DefaultWorkingDirectory)', dbCacheDirectory: '$(Pipeline.Workspace)/grype-db' } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      const out = path.join(run.dirs.temp, 'output_grype');
      assert.ok(run.stdout.includes(`outputDirectory uses $(Build.ArtifactStagingDirectory), which this pipeline does not define; writing to ${out} instead.`), explain(run));
      assert.strictEqual(path.dirname(run.variables.jsonReport), out);
      assert.ok(fs.readdirSync(run.env.SYSTEM_DEFAULTWORKINGDIRECTORY).every((f) => !f.includes('$(')), 'no folder named $(…) in the working directory');
      const db = path.join(run.dirs.tools, 'grype', 'db');
      assert.ok(run.stdout.includes(`dbCacheDirectory uses $(Pipeline.Workspace), which this pipeline does not define; using ${db} instead.`), explain(run));
      for (const call of recorded(run.record)) assert.strictEqual(call.env.GRYPE_DB_CACHE_DIR, db);
    });
    it('default target → Failed naming $(Build.SourcesDirectory), before grype runs', async () => {
      const run = await grypeRun({}, { env: release });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /^Input target 'dir:\$\(Build\.SourcesDirectory\)' uses \$\(Build\.SourcesDirectory\), which this pipeline does not define\. Set target to what to scan, e\.g\. dir:\$\(System\.DefaultWorkingDirectory\)/);
      assert.strictEqual(recorded(run.record).length, 0);
    });
  });

  describe('Grype failures are clear and show its last stderr lines', () => {
    const failureCases: [string, FakeToolBehaviour, RegExp][] = [
      ['crash (exit 2, panic, garbage output)', { exitCode: 2, stderr: 'panic: runtime error: invalid memory address\ngoroutine 1 [running]:', outputs: {} }, /Grype failed: it exited with code 2\. .*contains no JSON object/],
      ['non-zero exit without --fail-on, complete JSON', { exitCode: 1, stderr: '1 error occurred:\n\t* failed to catalog: unable to load image' }, /Grype failed: it exited with code 1 \(the scan did not complete/],
      ['exit 0 but no JSON', { truncateOutputs: 0, stderr: 'wrote nothing' }, /Grype exited successfully, but its JSON report cannot be used\. .*is empty/],
      ['exit 0 but truncated JSON', { truncateOutputs: 4000, stderr: 'killed while writing' }, /is truncated \(4000 characters; it ends in the middle of the JSON document\): Grype probably crashed or was stopped/],
    ];
    for (const [title, behaviour, re] of failureCases) {
      it(title, async () => {
        const run = await grypeRun(behaviour);
        assert.strictEqual(run.result, 'Failed', explain(run));
        assert.strictEqual(completes(run).length, 1);
        const message = completes(run)[0].message;
        assert.match(message, re);
        assert.match(message, /Last stderr lines:\n {2}/);
        const lastStderr = (behaviour.stderr ?? '').split('\n').pop()!.trim();
        assert.ok(message.includes(lastStderr), message);
        assert.ok(!/\n\s+at .*\.js:\d+/.test(message), 'no stack trace');
        assert.strictEqual(run.variables.totalCount, undefined, 'no counts from an untrusted scan');
      });
    }
    it('crash by a signal (SIGSEGV): fails saying so, with stderr', async () => {
      const dir = tempDir('crash-');
      const grype = path.join(dir, 'grype');
      fs.writeFileSync(grype, '#!/bin/sh\ncase "$1" in db) exit 0;; esac\necho "fatal error: unexpected signal during runtime execution" >&2\nkill -SEGV $$\n', { mode: 0o755 });
      const run = await runTask('GrypeScan', { inputs: { binaryPath: grype } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /Grype failed: it was killed by a signal before it finished .*Grype wrote no JSON report .*Last stderr lines:\n {2}fatal error: unexpected signal/s);
    });
    it('hang past the step timeout (agent sends SIGTERM): fails saying so, with stderr', async () => {
      const run = await grypeRun({ sleepMs: 30_000, stderr: 'loading image layers' }, { killAfterMs: { ms: 2500, signal: 'SIGTERM' } });
      assert.strictEqual(run.timedOut, false);
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /Grype was stopped after \d+s \(SIGTERM: the step timed out or the run was cancelled\)/);
      assert.match(completes(run)[0].message, /loading image layers/);
    });
    it('DB update fails, valid cached DB: warning, then the scan runs', async () => {
      const run = await grypeRun({ subcommands: { 'db update': { exitCode: 1, stderr: 'failed to download: connection refused' }, 'db status': { stdout: DB_STATUS_JSON } } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.ok(run.warnings[0].includes(`could not be updated (it exited with code 1); scanning with the cached database built ${GOLDEN_DB_BUILT}`), explain(run));
      assert.strictEqual(recorded(run.record).length, 3);
    });
    it('a report without DB info (grype 0.7): the build date comes from grype db status', async () => {
      // hand-written 0.7 shape: one High finding (a warning at the default warnOnSeverity)
      const run = await grypeRun({ outputs: { json: fixture('grype-json', 'grype-0.7-shape.json') } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.deepStrictEqual(recorded(run.record).map((c) => c.argv.slice(0, 2).join(' ')).filter((a) => a.startsWith('db')), ['db update', 'db status']);
      const status = JSON.parse(DB_STATUS_JSON);
      assert.ok(run.stdout.includes(`Grype vulnerability database: built ${GOLDEN_DB_BUILT} `) && run.stdout.includes(`schema ${status.schemaVersion}`), explain(run));
    });
    it('DB update fails, no valid cached DB: clear failure, no scan', async () => {
      const run = await grypeRun({ subcommands: { 'db update': { exitCode: 1, stderr: 'failed to download: connection refused' }, 'db status': { exitCode: 1, stderr: 'database does not exist' } } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /could not be updated and there is no valid cached database .*connection refused/s);
      assert.strictEqual(recorded(run.record).length, 2, 'no scan');
    });
    it('dbUpdateUrl reaches grype as GRYPE_DB_UPDATE_URL', async () => {
      const cache = path.join(tempDir('db-'), 'cache');
      const run = await grypeRun({}, { inputs: { dbUpdateUrl: 'https://mirror.example/databases', dbCacheDirectory: cache } });
      assert.strictEqual(recorded(run.record).length, 2, explain(run));
      for (const call of recorded(run.record)) {
        assert.strictEqual(call.env.GRYPE_DB_UPDATE_URL, 'https://mirror.example/databases');
        assert.strictEqual(call.env.GRYPE_DB_CACHE_DIR, cache);
      }
      assert.ok(fs.existsSync(cache), 'cache directory created');
    });
  });

  describe('warning budget with many packages (hand-built report with EPSS and KEV)', () => {
    /** 30 npm packages with High findings, and 3 deb packages with a Low, known-exploited one. */
    function manyPackagesReport(dbBuilt: string): string {
      const match = (name: string, type: string, id: string, severity: string, extra: Record<string, unknown>) => ({
        vulnerability: { id, severity, fix: { versions: ['9.0.0'], state: 'fixed' }, risk: 1, ...extra },
        artifact: { name, version: '1.0.0', type },
      });
      const matches = [
        ...Array.from({ length: 30 }, (_, i) => [0, 1].map((k) => match(`pkg${String(i).padStart(2, '0')}`, 'npm', `GHSA-${i}-${k}`, 'High', { epss: [{ cve: `CVE-${i}`, epss: 0.01, percentile: 0.5 }] }))).flat(),
        ...['kev-a', 'kev-b', 'kev-c'].map((name, i) =>
          match(name, 'deb', `CVE-2025-000${i}`, 'Low', { epss: [{ cve: `CVE-2025-000${i}`, epss: 0.7 - i / 10, percentile: 0.99 }], knownExploited: [{ cve: `CVE-2025-000${i}`, knownRansomwareCampaignUse: 'unknown', dateAdded: '2025-03-01' }] }),
        ),
      ];
      const doc = { matches, source: { type: 'directory', target: '/src' }, distro: {}, descriptor: { name: 'grype', version: '0.104.2', db: { status: { built: dbBuilt, schemaVersion: 'v6.1.0', valid: true } } } };
      const file = path.join(tempDir('many-'), 'many.grype.json');
      fs.writeFileSync(file, JSON.stringify(doc));
      return file;
    }
    const fresh = () => new Date(Date.now() - 3_600_000).toISOString();
    const moreLine = /^\d+ more packages with findings at or above High or known exploited; see the summary "Grype: dir:\S+" in the run's Extensions tab and the grype artifact \(\S+\.grype\.json\)$/;

    it('fresh DB: 8 packages (the known-exploited ones first), "25 more packages", and the result: 10 warnings, all kept by the agent', async () => {
      const run = await grypeRun({ outputs: { json: manyPackagesReport(fresh()) } }, { inputs: { outputFormats: 'json' } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.strictEqual(run.warnings.length, 10, run.warnings.join('\n'));
      assert.deepStrictEqual(run.warnings.slice(0, 3), [
        'kev-a 1.0.0 (deb): 1 Low, 1 known exploited (CVE-2025-0000); upgrade to 9.0.0',
        'kev-b 1.0.0 (deb): 1 Low, 1 known exploited (CVE-2025-0001); upgrade to 9.0.0',
        'kev-c 1.0.0 (deb): 1 Low, 1 known exploited (CVE-2025-0002); upgrade to 9.0.0',
      ]);
      assert.ok(run.warnings.slice(3, 8).every((w) => /^pkg\d\d 1\.0\.0 \(npm\): 2 High \(GHSA-\d+-0\); upgrade to 9\.0\.0$/.test(w)), run.warnings.join('\n'));
      assert.match(run.warnings[8], moreLine);
      assert.match(run.warnings[8], /^25 more packages/);
      assert.match(run.warnings[9], /^Grype found 60 vulnerabilities at or above High \(warnOnSeverity: high\) and 3 more known exploited in kev-a 1\.0\.0 \(deb\), kev-b 1\.0\.0 \(deb\), kev-c 1\.0\.0 \(deb\) and 30 more packages\.$/);
      assert.strictEqual(run.variables.knownExploitedCount, '3');
      const md = fs.readFileSync(cmds(run, 'task.addattachment')[0].message, 'utf8');
      assert.match(md, /^\| kev-a \(deb\) \| 1\.0\.0 \| 1 Low \| 1 \| 70\.0 % \| 9\.0\.0 \|$/m);
    });
    it('stale DB: its warning takes a package line, still 10 in all with the "N more" line last before the result', async () => {
      const built = new Date(Date.now() - 10 * 24 * 3_600_000).toISOString();
      const run = await grypeRun({ outputs: { json: manyPackagesReport(built) } }, { inputs: { outputFormats: 'json' } });
      assert.strictEqual(run.warnings.length, 10, run.warnings.join('\n'));
      assert.match(run.warnings[0], /^The Grype vulnerability database used for this scan was built \S+ \(10 days old\), more than 2 days ago/);
      assert.match(run.warnings[8], /^26 more packages/);
      assert.match(run.warnings[8], moreLine);
    });
    it('failOnKnownExploited: Failed after publishing, naming the known-exploited packages; the warnings stay within the budget', async () => {
      const run = await grypeRun({ outputs: { json: manyPackagesReport(fresh()) } }, { inputs: { outputFormats: 'json', failOnKnownExploited: 'true' } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.strictEqual(completes(run)[0].message, 'Grype found 3 known-exploited vulnerabilities (failOnKnownExploited) in kev-a 1.0.0 (deb), kev-b 1.0.0 (deb), kev-c 1.0.0 (deb).');
      assert.ok(indexOf(run, 'artifact.upload') >= 0 && indexOf(run, 'artifact.upload') < indexOf(run, 'task.complete'));
      assert.ok(indexOf(run, 'task.addattachment') < indexOf(run, 'task.complete'));
      assert.strictEqual(run.warnings.length, 9);
      assert.match(run.warnings[8], moreLine);
    });
  });

  describe('injection: nothing from grype or the report is executed', () => {
    const evil = 'evil##vso[task.setvariable variable=criticalCount;isOutput=true]0';
    let run: TaskRun & { record: string };
    before(async () => {
      const doc = JSON.parse(fs.readFileSync(D12, 'utf8'));
      doc.matches[0].artifact.name = `${evil}\n##vso[task.complete result=Succeeded]done;]`;
      doc.matches[0].artifact.version = '1.0]; ##vso[build.addbuildtag]pwned';
      doc.matches[0].vulnerability.description = 'desc\r\n##vso[task.uploadsummary]/etc/passwd\n##vso[artifact.upload artifactname=x]/etc/shadow';
      doc.matches[0].vulnerability.id = 'CVE-1999-0001##vso[task.setvariable variable=x]y';
      const report = path.join(tempDir('evil-'), 'evil.json');
      fs.writeFileSync(report, JSON.stringify(doc));
      run = await grypeRun(
        {
          outputs: { json: report },
          stdout: '##vso[task.setvariable variable=criticalCount;isOutput=true]0\n##vso[task.complete result=Succeeded]from stdout',
          stderr: '##vso[task.complete result=Succeeded]from stderr\n##vso[task.setvariable variable=highCount]0',
          subcommands: {
            'db update': { stdout: '##vso[task.setvariable variable=dbVar]1', stderr: '##vso[task.complete result=Succeeded]db' },
            'db status': { stdout: DB_STATUS_JSON },
          },
        },
        { inputs: { warnOnSeverity: 'low', failOnSeverity: 'critical', outputFormats: 'json' } },
      );
    });
    it('only the task itself issues commands: one task.complete, Failed (a Critical finding)', () => {
      assert.strictEqual(completes(run).length, 1, explain(run));
      assert.strictEqual(run.result, 'Failed');
      assert.deepStrictEqual(Object.keys(run.variables).sort(), ['criticalCount', 'exceptedCount', 'fixableCount', 'fixedCount', 'grypeVersion', 'highCount', 'jsonReport', 'knownExploitedCount', 'lowCount', 'maxSeverity', 'mediumCount', 'negligibleCount', 'newCount', 'sarifReport', 'totalCount', 'unknownCount']);
      assert.strictEqual(run.variables.criticalCount, String(d12.critical));
      assert.deepStrictEqual(cmds(run, 'build.addbuildtag').map((c) => c.message), ['vulnerable-critical']);
      assert.ok(cmds(run, 'artifact.upload').every((c) => !c.message.startsWith('/etc/')));
      assert.strictEqual(cmds(run, 'task.uploadsummary').length, 0);
      assert.strictEqual(cmds(run, 'task.addattachment').length, 1);
      assert.ok(!cmds(run, 'task.addattachment')[0].message.startsWith('/etc/'));
    });
    it('the text is shown, neutralised', () => {
      assert.match(run.stdout, /##_vso\[task\.complete result=Succeeded\]from stdout/);
      assert.match(run.stdout + run.stderr, /##_vso\[task\.complete result=Succeeded\]from stderr/);
      const warnings = cmds(run, 'task.logissue').map((c) => c.message);
      const evilLine = warnings.find((w) => w.includes('evil'));
      assert.ok(evilLine, warnings.join('\n'));
      assert.ok(evilLine.includes('evil##_vso[task.setvariable variable=criticalCount;isOutput=true]0 ##_vso[task.complete result=Succeeded]done;]'), evilLine);
      assert.ok(!/[\r\n]/.test(evilLine));
      const md = fs.readFileSync(cmds(run, 'task.addattachment')[0].message, 'utf8');
      assert.ok(!md.includes('##vso['));
      assert.match(md, /##\\_vso\\\[task\.uploadsummary\\\]/);
    });
  });

  describe('secrets: registry password', () => {
    const password = 'S3cr3t-Pa55-w0rd!';
    it('reaches grype only through GRYPE_REGISTRY_AUTH_*; never in stdout, argv or the output folder', async () => {
      const run = await grypeRun(
        { stderr: 'pulling image' },
        {
          inputs: { containerRegistry: 'acr', target: 'registry:myacr.azurecr.io/app:1.0' },
          endpoints: { acr: { url: 'https://myacr.azurecr.io', scheme: 'UsernamePassword', parameters: { username: 'ciuser', password, registry: 'https://myacr.azurecr.io/' } } },
        },
      );
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      const scanCall = recorded(run.record)[1];
      assert.strictEqual(scanCall.env.GRYPE_REGISTRY_AUTH_PASSWORD, password);
      assert.strictEqual(scanCall.env.GRYPE_REGISTRY_AUTH_USERNAME, 'ciuser');
      assert.strictEqual(scanCall.env.GRYPE_REGISTRY_AUTH_AUTHORITY, 'myacr.azurecr.io');
      for (const call of recorded(run.record)) assert.ok(!call.argv.join(' ').includes(password), 'argv');
      // The agent learns the secret from ##vso[task.setsecret] (and masks it); nothing else may carry it.
      assert.strictEqual(cmds(run, 'task.setsecret').length >= 1, true);
      const otherLines = (run.stdout + run.stderr).split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]'));
      assert.ok(!otherLines.some((l) => l.includes(password)), 'stdout/stderr');
      const out = path.join(run.dirs.artifacts, 'output_grype');
      for (const f of fs.readdirSync(out)) assert.ok(!fs.readFileSync(path.join(out, f), 'utf8').includes(password), f);
    });
  });

  describe('agent proxy', () => {
    it('reaches grype as HTTP(S)_PROXY (with its masked password) and plain bypass hosts as NO_PROXY', async () => {
      const run = await grypeRun(
        {},
        {
          env: {
            AGENT_PROXYURL: 'http://proxy.corp:8080',
            AGENT_PROXYUSERNAME: 'build',
            AGENT_PROXYPASSWORD: 'pr0xy:pass',
            AGENT_PROXYBYPASSLIST: JSON.stringify(['grype\\.anchore\\.io', '.*\\.internal']),
          },
        },
      );
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      for (const call of recorded(run.record)) {
        assert.strictEqual(call.env.HTTPS_PROXY, 'http://build:pr0xy%3Apass@proxy.corp:8080', JSON.stringify(call.argv));
        assert.strictEqual(call.env.NO_PROXY, 'grype.anchore.io');
      }
      const secrets = cmds(run, 'task.setsecret').map((c) => c.message);
      assert.ok(secrets.includes('pr0xy:pass') && secrets.includes('pr0xy%3Apass'), secrets.join(', '));
    });
  });

  describe('bad inputs fail clearly (no stack trace, says what to do), before grype runs', () => {
    const dir = () => tempDir('bad-');
    const cases: [string, () => Record<string, string>, RegExp][] = [
      ['empty target', () => ({ target: '   ' }), /Input target is empty\. Set it to what to scan/],
      ['unknown severity word', () => ({ failOnSeverity: 'severe' }), /Input failOnSeverity is 'severe'.*Use one of: none, negligible, low, medium, high, critical/],
      ['unknown output format', () => ({ outputFormats: 'json,html' }), /unknown Grype format 'html'/],
      ['missing config file given explicitly', () => ({ configFile: '/nonexistent/grype.yaml' }), /configFile '\/nonexistent\/grype\.yaml' was not found/],
      ['target with a macro the pipeline does not define', () => ({ target: 'dir:$(Release.PrimaryArtifactSourceAlias)/app' }), /Input target 'dir:\$\(Release\.PrimaryArtifactSourceAlias\)\/app' uses \$\(Release\.PrimaryArtifactSourceAlias\), which this pipeline does not define/],
      ['configFile with a macro the pipeline does not define', () => ({ configFile: '$(Release.ArtifactsDirectory)/grype.yaml' }), /Input configFile '\S*\$\(Release\.ArtifactsDirectory\)\/grype\.yaml' uses \$\(Release\.ArtifactsDirectory\), which this pipeline does not define\. Define that variable in the pipeline, or change or clear configFile\./],
      ['dbCacheDirectory that cannot be created', () => { const f = path.join(dir(), 'file'); fs.writeFileSync(f, ''); return { dbCacheDirectory: path.join(f, 'db') }; }, /^dbCacheDirectory \S+file\/db cannot be created \(ENOTDIR\)\. Choose a folder the agent can write to/],
      ['unwritable output directory', () => { const f = path.join(dir(), 'file'); fs.writeFileSync(f, ''); return { outputDirectory: path.join(f, 'out') }; }, /outputDirectory .* cannot be created or written \(ENOTDIR\)/],
      ['non-numeric version', () => ({ grypeVersion: 'abc', binaryPath: '' }), /Input grypeVersion: The grype version 'abc' is not a release version/],
      ['odd version', () => ({ grypeVersion: '0.117', binaryPath: '' }), new RegExp(`Input grypeVersion: The grype version '0\\.117' is not a release version\\. Use an exact version such as ${PINNED_VERSIONS.grype.replace(/\./g, '\\.')}`)],
      ['version with shell characters', () => ({ grypeVersion: '0.117.0;rm -rf /', binaryPath: '' }), /grypeVersion: The grype version '0\.117\.0;rm -rf \/' is not a release version/],
      ['bad dbUpdateUrl', () => ({ dbUpdateUrl: 'file:///etc' }), /dbUpdateUrl must be an http\(s\) URL/],
      ['unclosed quote in additionalArguments', () => ({ additionalArguments: '--exclude "./a' }), /unclosed " quote/],
      ['missing binaryPath', () => ({ binaryPath: '/nonexistent/grype' }), /binaryPath '\/nonexistent\/grype' does not exist/],
    ];
    for (const [title, inputs, re] of cases) {
      it(title, async () => {
        const given = inputs();
        const run = await grypeRun({}, { inputs: given });
        assert.strictEqual(run.result, 'Failed', explain(run));
        assert.strictEqual(completes(run).length, 1);
        assert.match(completes(run)[0].message, re);
        assert.ok(!/\bat .*\.js:\d+/.test(run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n')), 'stack trace in the log');
        assert.strictEqual(recorded(run.record).length, 0, 'grype must not run');
      });
    }
  });

  describe('install from "github.com" (the loopback release server behind the agent\'s TLS-inspecting proxy)', () => {
    it('downloads the pinned version, verifies it, caches it; the second run downloads nothing', async () => {
      const github = await startFakeGitHub();
      const server = github.server;
      try {
        const version = PINNED_VERSIONS.grype;
        const platform = resolvePlatform('grype', process.platform, process.arch);
        const record = path.join(tempDir('rec-'), 'record.jsonl');
        const archive = await buildReleaseArchive('grype', version, platform.os, platform.arch, { subcommands: okDb, outputs: { json: D12 }, recordFile: record });
        assert.strictEqual(archive.name, archiveAssetName('grype', version, platform));
        server.addRelease('grype', version, [archive]);
        const tools = tempDir('tools-');
        const env = { ...github.env, AGENT_TOOLSDIRECTORY: tools };
        const first = await runTask('GrypeScan', { env, inputs: { outputFormats: 'json' } });
        assert.strictEqual(first.result, 'SucceededWithIssues', explain(first));
        assert.ok(server.requests.some((r) => r.path.endsWith(archive.name)));
        assert.strictEqual(first.variables.criticalCount, String(d12.critical));
        const requestsAfterFirst = server.requests.length;
        const second = await runTask('GrypeScan', { env, inputs: { outputFormats: 'json' } });
        assert.strictEqual(second.result, 'SucceededWithIssues', explain(second));
        assert.strictEqual(server.requests.length, requestsAfterFirst, 'the second run downloaded nothing');
        assert.match(second.stdout, /from the tool cache/);
        assert.strictEqual(recorded(record).length, 4);
        assert.ok(github.proxy.connects.every((c) => c === 'github.com:443'), `CONNECTs: ${github.proxy.connects}`);
      } finally {
        await github.close();
      }
    });
  });
});

describe('GrypeScan black-box: install through the agent proxy with credentials', function () {
  this.timeout(60_000);

  // The agent hands a task its proxy as Agent.ProxyUrl/ProxyUsername/ProxyPassword (a secret variable); downloads go through
  // typed-rest-client and its `tunnel` agent, which sends the credentials in the CONNECT request.
  it('downloads grype through the proxy with Proxy-Authorization Basic; the password is never logged, no Node warning', async () => {
    const username = 'build-agent';
    const password = 'pr0xy:S3cret!';
    const github = await startFakeGitHub({ credentials: { username, password } });
    const { server, proxy } = github;
    try {
      const version = PINNED_VERSIONS.grype;
      const platform = resolvePlatform('grype', process.platform, process.arch);
      const archive = await buildReleaseArchive('grype', version, platform.os, platform.arch, { subcommands: okDb, outputs: { json: D12 } });
      server.addRelease('grype', version, [archive]);
      const run = await runTask('GrypeScan', {
        env: {
          ...github.env,
          AGENT_TOOLSDIRECTORY: tempDir('tools-'),
          AGENT_PROXYUSERNAME: username,
          // As the agent passes it: Agent.ProxyPassword is a secret variable (masked by the agent everywhere).
          SECRET_AGENT_PROXYPASSWORD: password,
          VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']),
          // The agent's bypass list replaces NO_PROXY in typed-rest-client; clear the runner's own settings anyway.
          NO_PROXY: undefined,
          no_proxy: undefined,
        },
        inputs: { outputFormats: 'json' },
      });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.ok(server.requests.some((r) => r.path.endsWith(archive.name)), 'the archive was downloaded');
      assert.ok(proxy.connects.length >= 2 && proxy.connects.every((c) => c === 'github.com:443'), `CONNECTs: ${proxy.connects}`);
      assert.deepStrictEqual(proxy.authorizations, proxy.connects.map(() => basicProxyAuthorization(username, password)));
      assert.strictEqual(proxy.refused, 0);
      // Only ##vso[task.setsecret] may carry the password (in any form), and task-lib's debug line for the
      // secret variable it reads, which the agent masks; nothing the task itself prints.
      const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/).filter((l) => !l.startsWith('##vso[task.setsecret]'));
      const secretVariableDebug = `##vso[task.debug]Agent.ProxyPassword=${password}`;
      for (const secret of [password, encodeURIComponent(password), basicProxyAuthorization(username, password).slice('Basic '.length)]) {
        const leaks = lines.filter((l) => l.includes(secret) && l !== secretVariableDebug);
        assert.deepStrictEqual(leaks, [], `${secret} in the log`);
      }
      assert.ok(cmds(run, 'task.setsecret').some((c) => c.message === encodeURIComponent(password)), 'the URL-encoded form (in HTTPS_PROXY for grype) is masked');
    } finally {
      await github.close();
    }
  });
});
