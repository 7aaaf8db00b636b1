// Black-box runs of GrypeScan@1 (the bundled task from the VSIX, fake grype) for the baseline,
// exceptions and VEX inputs, with small Grype reports written here by hand.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { writeFakeTool } from '../harness/fakeTool';
import { FRESH_DB_BUILT, grypeReport, IgnoreRuleSpec, MatchSpec } from '../harness/grypeJson';
import { runTask, RunTaskOptions, TaskRun } from '../harness/vsix';
import { reportStem } from '../../tasks/common/target';
import { scratchDirs } from '../harness/scratch';

const tempDir = scratchDirs();

const DB_STATUS = JSON.stringify({ schemaVersion: 'v6.1.4', from: 'https://grype.anchore.io/databases', built: FRESH_DB_BUILT, path: '/db', valid: true });

interface Scan {
  run: TaskRun;
  /** argv of every grype call */
  calls: string[][];
  summary: string;
}

/** Runs the task with a fake grype that writes `report` as its JSON report. */
async function scan(report: string, opts: RunTaskOptions = {}): Promise<Scan> {
  const dir = tempDir('triage-grype-');
  const reportFile = path.join(dir, 'report.json');
  fs.writeFileSync(reportFile, report);
  const record = path.join(dir, 'record.jsonl');
  const grype = writeFakeTool(dir, 'grype', {
    outputs: { json: reportFile },
    recordFile: record,
    subcommands: { 'db update': { stdout: 'Vulnerability database updated to latest version!' }, 'db status': { stdout: DB_STATUS } },
  });
  const run = await runTask('GrypeScan', { timeoutMs: 30_000, ...opts, inputs: { binaryPath: grype, target: 'registry:exam:v1', outputFormats: 'json', ...(opts.inputs ?? {}) } });
  const calls = fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l).argv as string[]) : [];
  const summaryCommand = run.commands.find((c) => c.command === 'task.addattachment');
  return { run, calls, summary: summaryCommand ? fs.readFileSync(summaryCommand.message, 'utf8') : '' };
}

function explain(run: TaskRun): string {
  return `\n--- stdout ---\n${run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n')}\n--- stderr ---\n${run.stderr}`;
}
const completeMessage = (run: TaskRun) => run.commands.filter((c) => c.command === 'task.complete').map((c) => c.message).join('\n');
const uploads = (run: TaskRun) => run.commands.filter((c) => c.command === 'artifact.upload').map((c) => path.basename(c.message));

/** A UTC day `days` from today, YYYY-MM-DD. */
function dayFromToday(days: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days)).toISOString().slice(0, 10);
}

const LODASH_GHSA: MatchSpec = { id: 'GHSA-35jh-r3h4-6jhm', related: ['CVE-2021-23337'], name: 'lodash', version: '4.17.20', severity: 'High', fixedIn: ['4.17.21'] };
const LODASH_CVE: MatchSpec = { id: 'CVE-2021-23337', name: 'lodash', version: '4.17.20', severity: 'High', fixedIn: ['4.17.21'] };
const MINIMIST: MatchSpec = { id: 'CVE-2021-44906', name: 'minimist', version: '1.2.5', severity: 'Critical', fixedIn: ['1.2.6'] };
const QS: MatchSpec = { id: 'CVE-2022-24999', name: 'qs', version: '6.5.2', severity: 'High', fixedIn: ['6.5.3'] };
const AXIOS: MatchSpec = { id: 'CVE-2023-45857', name: 'axios', version: '1.5.0', severity: 'Medium', fixedIn: ['1.6.0'] };

describe('GrypeScan black-box: baseline, exceptions, VEX', function () {
  this.timeout(60_000);

  describe('baselineReport with failOnNewOnly', () => {
    const baselineDir = tempDir('baseline-');
    const baseline = path.join(baselineDir, 'master.grype.json');
    // The earlier run named the lodash finding by its GHSA; minimist was fixed since.
    fs.writeFileSync(baseline, grypeReport([LODASH_GHSA, MINIMIST, QS]));

    it('only old findings at or above failOnSeverity: not failed (warnings still raised); 0 new, 1 fixed', async () => {
      const { run, summary } = await scan(grypeReport([LODASH_CVE, QS]), { inputs: { baselineReport: baseline, failOnNewOnly: 'true', failOnSeverity: 'high' } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.strictEqual(run.variables.newCount, '0');
      assert.strictEqual(run.variables.fixedCount, '1');
      // One per package, none marked new; then the result message (SucceededWithIssues).
      assert.deepStrictEqual(run.warnings.slice(0, -1), ['lodash 4.17.20 (npm): 1 High (CVE-2021-23337); upgrade to 4.17.21', 'qs 6.5.2 (npm): 1 High (CVE-2022-24999); upgrade to 6.5.3']);
      assert.match(summary, /#### New since baseline: 0 findings/);
      assert.match(summary, /#### Fixed since baseline: 1 finding\n\n\| Severity.*\n.*\n\| Critical \| CVE-2021-44906 \| minimist \(npm\) \| 1\.2\.5 \| 1\.2\.6 \|/);
    });
    it('a new finding at or above failOnSeverity fails, says it is new, and its warning is marked', async () => {
      const newQs: MatchSpec = { ...QS, id: 'CVE-2024-0001' };
      const { run, summary } = await scan(grypeReport([LODASH_CVE, QS, newQs, AXIOS]), { inputs: { baselineReport: baseline, failOnNewOnly: 'true', failOnSeverity: 'high', warnOnSeverity: 'medium' } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completeMessage(run), /^Grype found 1 new vulnerability at or above High \(failOnSeverity: high, failOnNewOnly: only findings not in the baseline\) in qs 6\.5\.2 \(npm\)\.$/);
      assert.deepStrictEqual([run.variables.newCount, run.variables.fixedCount, run.variables.totalCount], ['2', '1', '4']);
      // One warning per package: a package the baseline has says how many of its findings are new; a package it lacks is marked.
      assert.deepStrictEqual(run.warnings, [
        'lodash 4.17.20 (npm): 1 High (CVE-2021-23337); upgrade to 4.17.21',
        'qs 6.5.2 (npm): 2 High, 1 new (CVE-2022-24999); upgrade to 6.5.3',
        'New package: axios 1.5.0 (npm): 1 Medium (CVE-2023-45857); upgrade to 1.6.0',
      ]);
      assert.match(summary, /Compared with the baseline `master\.grype\.json`/);
      assert.match(summary, /#### New since baseline: 2 findings/);
      assert.match(summary, /- Warn at medium or known exploited, fail at high, counting only findings new since the baseline \(failOnNewOnly\)\./);
      assert.match(summary, /\| High \| CVE-2024-0001 \| qs \(npm\) \| 6\.5\.2 \| 6\.5\.3 \|/);
    });
    it('without failOnNewOnly every finding counts for failOnSeverity', async () => {
      const { run } = await scan(grypeReport([LODASH_CVE, QS]), { inputs: { baselineReport: baseline, failOnSeverity: 'high' } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completeMessage(run), /Grype found 2 vulnerabilities at or above High \(failOnSeverity: high\)/);
      assert.strictEqual(run.variables.newCount, '0');
    });
    it('a folder (the downloaded artifact): the report of the same target and job in it', async () => {
      const artifact = tempDir('artifact-');
      fs.mkdirSync(path.join(artifact, 'grype'));
      fs.copyFileSync(baseline, path.join(artifact, 'grype', `${reportStem('registry:exam:v1', 'Job')}.grype.json`));
      fs.writeFileSync(path.join(artifact, 'grype', 'other-target-job-12345678.grype.json'), grypeReport([]));
      const { run, summary } = await scan(grypeReport([LODASH_CVE, QS]), { inputs: { baselineReport: artifact, failOnNewOnly: 'true', failOnSeverity: 'high' } });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.deepStrictEqual([run.variables.newCount, run.variables.fixedCount], ['0', '1']);
      assert.match(summary, new RegExp(`Compared with the baseline \`${reportStem('registry:exam:v1', 'Job').replace(/\./g, '\\.')}\\.grype\\.json\``));
    });
    it('failOnNewOnly applies to failOnKnownExploited: an old known-exploited finding does not fail, a new one does', async () => {
      const kevBaseline = path.join(tempDir('kev-baseline-'), 'master.grype.json');
      fs.writeFileSync(kevBaseline, grypeReport([{ ...LODASH_GHSA, knownExploited: true }, QS]));
      const inputs = { baselineReport: kevBaseline, failOnNewOnly: 'true', failOnKnownExploited: 'true', failOnSeverity: 'none', warnOnSeverity: 'high' };
      const old = await scan(grypeReport([{ ...LODASH_CVE, knownExploited: true }, QS]), { inputs });
      assert.strictEqual(old.run.result, 'SucceededWithIssues', explain(old.run));
      assert.strictEqual(old.run.variables.knownExploitedCount, '1');
      assert.strictEqual(old.run.variables.newCount, '0');

      const newKev: MatchSpec = { ...AXIOS, severity: 'Low', knownExploited: true, epss: 0.42 };
      const fresh = await scan(grypeReport([{ ...LODASH_CVE, knownExploited: true }, QS, newKev]), { inputs });
      assert.strictEqual(fresh.run.result, 'Failed', explain(fresh.run));
      assert.strictEqual(completeMessage(fresh.run), 'Grype found 1 new known-exploited vulnerability (failOnKnownExploited, failOnNewOnly: only findings not in the baseline) in axios 1.5.0 (npm).');
      assert.deepStrictEqual([fresh.run.variables.knownExploitedCount, fresh.run.variables.newCount], ['2', '1']);
      // Known exploited first, whatever the severity; the new package marked.
      assert.deepStrictEqual(fresh.run.warnings, [
        'lodash 4.17.20 (npm): 1 High, 1 known exploited (CVE-2021-23337); upgrade to 4.17.21',
        'New package: axios 1.5.0 (npm): 1 Low, 1 known exploited (CVE-2023-45857); upgrade to 1.6.0',
        'qs 6.5.2 (npm): 1 High (CVE-2022-24999); upgrade to 6.5.3',
      ]);
      assert.match(fresh.summary, /\| axios \(npm\) \| 1\.5\.0 \| 1 Low \| 1 \| 42\.0 % \| 1\.6\.0 \|/);
    });
    for (const [what, write] of [
      ['does not exist', () => path.join(baselineDir, 'never-downloaded.json')],
      ['is not a Grype report', () => {
        const f = path.join(baselineDir, 'sbom.json');
        fs.writeFileSync(f, JSON.stringify({ bomFormat: 'CycloneDX', components: [] }));
        return f;
      }],
    ] as const) {
      it(`a baseline that ${what}: one warning, and the scan goes on without it`, async () => {
        const file = write();
        const { run, summary } = await scan(grypeReport([LODASH_CVE]), { inputs: { baselineReport: file, failOnNewOnly: 'true', failOnSeverity: 'high' } });
        assert.strictEqual(run.result, 'Failed', `every finding counts without a baseline${explain(run)}`);
        const baselineWarnings = run.warnings.filter((w) => w.includes('baseline'));
        assert.strictEqual(baselineWarnings.length, 1, run.warnings.join('\n'));
        assert.ok(baselineWarnings[0].includes(file), baselineWarnings[0]);
        assert.match(baselineWarnings[0], /The scan goes on without a baseline/);
        assert.deepStrictEqual([run.variables.newCount, run.variables.fixedCount], ['', '']);
        assert.ok(!summary.includes('since baseline'));
        assert.ok(!summary.includes('counting only findings new'), 'failOnNewOnly without a baseline: every finding counts');
      });
    }
  });

  describe('exceptions', () => {
    function sourcesWith(yaml: string): string {
      const sources = tempDir('triage-src-');
      fs.writeFileSync(path.join(sources, '.grype-exceptions.yaml'), yaml);
      return sources;
    }

    it('.grype-exceptions.yaml in the sources directory: unexpired ones leave the counts, expiring and expired ones warn', async () => {
      const sources = sourcesWith(`exceptions:
  - vulnerability: CVE-2021-23337        # the CVE is a related id of the GHSA finding
    package: lodash
    reason: Not reachable, template() is never called
    expires: ${dayFromToday(365)}
  - vulnerability: CVE-2022-24999
    package: qs@6.5.2
    reason: Only parses trusted input
    expires: ${dayFromToday(5)}
  - vulnerability: CVE-2021-44906
    reason: Waiting for the vendor
    expires: ${dayFromToday(-3)}
`);
      const { run, summary } = await scan(grypeReport([LODASH_GHSA, QS, MINIMIST, AXIOS]), { env: { BUILD_SOURCESDIRECTORY: sources }, inputs: { failOnSeverity: 'critical' } });
      assert.match(run.stdout, /Using 3 exceptions from .*\.grype-exceptions\.yaml/);
      assert.strictEqual(run.result, 'Failed', `the expired exception's Critical counts again${explain(run)}`);
      assert.deepStrictEqual([run.variables.exceptedCount, run.variables.totalCount, run.variables.criticalCount, run.variables.highCount], ['2', '2', '1', '0']);
      assert.strictEqual(run.warnings[0], `Exception entry 2 (CVE-2022-24999, qs@6.5.2) expires on ${dayFromToday(5)} (5 days left); it covers 1 finding. Reason: Only parses trusted input. Renew it or fix the finding before then.`);
      assert.strictEqual(run.warnings[1], `Exception entry 3 (CVE-2021-44906) expired on ${dayFromToday(-3)}, so its findings count again (1 finding). Reason it was given: Waiting for the vendor. Fix the finding, or renew the exception with a new expires date.`);
      assert.match(summary, /#### Excepted \(2 findings\)/);
      assert.match(summary, new RegExp(`\\| High \\| GHSA-35jh-r3h4-6jhm \\| lodash \\(npm\\) \\| 4\\.17\\.20 \\| Not reachable, template\\(\\) is never called \\| ${dayFromToday(365)} \\| 1 \\|`));
      const notCounted = uploads(run).find((u) => u.endsWith('.grype-not-counted.json'));
      assert.ok(notCounted, uploads(run).join(', '));
      const file = run.commands.find((c) => c.command === 'artifact.upload' && c.message.endsWith('.grype-not-counted.json'))!.message;
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.deepStrictEqual(json.findings.map((f: { vulnerability: string; kind: string }) => `${f.vulnerability} ${f.kind}`), ['CVE-2022-24999 exception', 'GHSA-35jh-r3h4-6jhm exception'], 'most severe first, then by id');
    });
    it('an explicit exceptionsFile wins over the default one', async () => {
      const sources = sourcesWith('not: valid: yaml: [');
      const explicit = path.join(tempDir('ex-'), 'mine.yaml');
      fs.writeFileSync(explicit, `exceptions:\n  - {vulnerability: CVE-2021-44906, reason: mitigated, expires: ${dayFromToday(100)}}\n`);
      const { run } = await scan(grypeReport([MINIMIST]), { env: { BUILD_SOURCESDIRECTORY: sources }, inputs: { exceptionsFile: explicit, failOnSeverity: 'critical' } });
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      assert.deepStrictEqual([run.variables.exceptedCount, run.variables.totalCount], ['1', '0']);
    });
    it('an invalid file fails the step before anything is installed or scanned, naming the entry', async () => {
      const sources = sourcesWith(`exceptions:\n  - {vulnerability: CVE-2021-44906, reason: ok, expires: ${dayFromToday(10)}}\n  - vulnerability: CVE-2022-24999\n    expires: 2027-13-01\n    reason: typo\n`);
      const { run, calls } = await scan(grypeReport([MINIMIST]), { env: { BUILD_SOURCESDIRECTORY: sources } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completeMessage(run), /Exceptions file .*\.grype-exceptions\.yaml, entry 2 \(CVE-2022-24999\): expires '2027-13-01' is not a date/);
      assert.deepStrictEqual(calls, [], 'grype never ran');
      assert.ok(!/ at \S+\.js:\d+/.test(run.stdout + run.stderr), 'no stack trace');
    });
    it('an exceptionsFile that does not exist fails clearly', async () => {
      const { run, calls } = await scan(grypeReport([MINIMIST]), { inputs: { exceptionsFile: '/nowhere/exceptions.yaml' } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completeMessage(run), /exceptionsFile '\/nowhere\/exceptions\.yaml' was not found/);
      assert.deepStrictEqual(calls, []);
    });
  });

  describe('with fix first', () => {
    it('excepted, VEX and onlyFixed findings are left out of the counts and the Fix first table, and listed after the top findings, before the notes', async () => {
      const sources = tempDir('together-src-');
      fs.writeFileSync(path.join(sources, '.grype-exceptions.yaml'), `exceptions:\n  - {vulnerability: CVE-2022-24999, package: qs, reason: Only parses trusted input, expires: ${dayFromToday(100)}}\n`);
      const baseline = path.join(tempDir('together-baseline-'), 'master.grype.json');
      fs.writeFileSync(baseline, grypeReport([LODASH_CVE, QS, { id: 'CVE-2020-0001', name: 'gone', version: '1.0.0', fixedIn: ['1.0.1'] }]));
      const unfixed: MatchSpec = { id: 'CVE-2024-7777', name: 'nofix', version: '2.0.0', severity: 'Critical' };
      const { run, summary } = await scan(grypeReport([LODASH_CVE, QS, AXIOS, unfixed], [{ match: MINIMIST, rules: [{ namespace: 'vex', 'vex-status': 'not_affected', 'vex-justification': 'component_not_present' }] }]), {
        env: { BUILD_SOURCESDIRECTORY: sources },
        inputs: { baselineReport: baseline, onlyFixed: 'true', warnOnSeverity: 'medium' },
      });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.deepStrictEqual([run.variables.totalCount, run.variables.exceptedCount, run.variables.newCount, run.variables.fixedCount], ['2', '1', '1', '1']);
      assert.match(run.stdout, /^Grype found 2 findings in 2 packages: 1 High, 1 Medium; 2 with a fix; 0 known exploited; 1 new, 1 fixed since the baseline; 3 not counted\.$/m);
      assert.deepStrictEqual(run.warnings.slice(0, -1), ['lodash 4.17.20 (npm): 1 High (CVE-2021-23337); upgrade to 4.17.21', 'New package: axios 1.5.0 (npm): 1 Medium (CVE-2023-45857); upgrade to 1.6.0']);
      const fixFirst = summary.slice(summary.indexOf('#### Fix first'), summary.indexOf('#### Top findings'));
      assert.match(fixFirst, /^#### Fix first \(all 2 packages, most urgent first\)/);
      for (const leftOut of ['qs', 'minimist', 'nofix']) assert.ok(!fixFirst.includes(`| ${leftOut} (npm)`), `${leftOut} is not in Fix first:\n${fixFirst}`);
      const headings = summary.split('\n').filter((l) => l.startsWith('#'));
      assert.deepStrictEqual(headings, [
        '### Grype scan of `registry:exam:v1`',
        '#### Fix first (all 2 packages, most urgent first)',
        '#### Top findings (all 2 findings, most urgent first)',
        '#### New since baseline: 1 finding',
        '#### Fixed since baseline: 1 finding',
        '#### Excepted (1 finding)',
        '#### Not affected (VEX) (1 finding)',
        '#### Not counted (1 finding)',
        '#### Notes',
      ]);
      assert.match(summary, new RegExp(`\\| High \\| CVE-2022-24999 \\| qs \\(npm\\) \\| 6\\.5\\.2 \\| Only parses trusted input \\| ${dayFromToday(100)} \\| 1 \\|`));
      assert.match(summary, /\| Critical \| CVE-2024-7777 \| nofix \(npm\) \| 2\.0\.0 \| No fix \(not-fixed\); onlyFixed counts only findings with a fix \|/);
    });
    it('the baseline and exception warnings count against the 10 warnings per step: package lines, then how many more', async () => {
      const sources = tempDir('budget-src-');
      fs.writeFileSync(path.join(sources, '.grype-exceptions.yaml'), `exceptions:\n  - {vulnerability: CVE-2024-0100, reason: mitigated by the proxy, expires: ${dayFromToday(3)}}\n`);
      const packages: MatchSpec[] = Array.from({ length: 16 }, (_, i) => ({ id: `CVE-2024-${String(100 + i).padStart(4, '0')}`, name: `pkg${String(i).padStart(2, '0')}`, version: '1.0.0', severity: 'High', fixedIn: ['1.0.1'] }));
      const { run } = await scan(grypeReport(packages), {
        env: { BUILD_SOURCESDIRECTORY: sources },
        inputs: { baselineReport: path.join(sources, 'not-downloaded.grype.json'), warnOnSeverity: 'high' },
      });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.strictEqual(run.warnings.length, 10, run.warnings.join('\n'));
      assert.match(run.warnings[0], /^baselineReport .* does not exist/);
      assert.match(run.warnings[1], /^Exception entry 1 \(CVE-2024-0100\) expires on/);
      // 15 counted packages (pkg00 is excepted): 6 lines fit, then the line saying how many more.
      assert.deepStrictEqual(run.warnings.slice(2, 8), packages.slice(1, 7).map((p) => `${p.name} 1.0.0 (npm): 1 High (${p.id}); upgrade to 1.0.1`));
      assert.match(run.warnings[8], /^9 more packages with findings at or above High or known exploited; see the summary "Grype: registry:exam:v1" in the run's Extensions tab/);
      assert.match(run.warnings[9], /^Grype found 15 vulnerabilities at or above High/);
    });
  });

  describe('vexDocuments', () => {
    // What grype 0.122 writes with its default VEX rules: the status only (the justification is in the document).
    const vexRule: IgnoreRuleSpec = { namespace: 'vex', 'vex-status': 'not_affected' };
    const openVex = JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.invalid/vex/minimist', author: 'vendor', timestamp: '2026-12-01T00:00:00Z', version: 1,
      statements: [{ vulnerability: { name: 'CVE-2021-44906' }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
    });

    it('every file a path or glob matches goes to grype as --vex; what grype suppresses is listed, not counted', async () => {
      const sources = tempDir('vex-src-');
      fs.mkdirSync(path.join(sources, 'vex'));
      fs.writeFileSync(path.join(sources, 'vex', 'a.openvex.json'), openVex);
      fs.writeFileSync(path.join(sources, 'vex', 'b.openvex.json'), '{}');
      const extra = path.join(tempDir('vex-abs-'), 'vendor.json');
      fs.writeFileSync(extra, '{}');
      const { run, calls, summary } = await scan(grypeReport([QS], [{ match: MINIMIST, rules: [vexRule] }]), {
        env: { BUILD_SOURCESDIRECTORY: sources },
        inputs: { vexDocuments: `vex/*.openvex.json,\n${extra}`, failOnSeverity: 'critical' },
      });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      const argv = calls[calls.length - 1];
      const vex = argv.flatMap((a, i) => (a === '--vex' ? [argv[i + 1]] : []));
      assert.deepStrictEqual(vex, [path.join(sources, 'vex', 'a.openvex.json'), path.join(sources, 'vex', 'b.openvex.json'), extra]);
      assert.deepStrictEqual([run.variables.totalCount, run.variables.criticalCount], ['1', '0']);
      assert.match(summary, /#### Not affected \(VEX\) \(1 finding\)/);
      assert.match(summary, /\| Critical \| CVE-2021-44906 \| minimist \(npm\) \| 1\.2\.5 \| not\\_affected \| vulnerable\\_code\\_not\\_in\\_execute\\_path \|/);
    });
    it('an entry that matches no file fails before scanning', async () => {
      const sources = tempDir('vex-src-');
      const { run, calls } = await scan(grypeReport([QS]), { env: { BUILD_SOURCESDIRECTORY: sources }, inputs: { vexDocuments: 'vex/*.json' } });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completeMessage(run), /Input vexDocuments: 'vex\/\*\.json' matches no file \(relative paths and globs are looked up from /);
      assert.deepStrictEqual(calls, []);
    });
  });
});
