import * as assert from 'assert';
import { applyExceptions } from '../../tasks/GrypeScan/exceptions';
import { parseGrypeReport } from '../../tasks/GrypeScan/report';
import { classifyIgnored, notCountedFindings, notCountedReport, notCountedSections } from '../../tasks/GrypeScan/suppressed';
import { findVexStatement, parseOpenVexStatements } from '../../tasks/GrypeScan/openvex';
import { splitVexPatterns } from '../../tasks/GrypeScan/vex';
import { grypeReport } from '../harness/grypeJson';

// The ignoredMatches rules as grype 0.122 writes them (grype/presenter/models/ignore.go):
// VEX (grype/vex/openvex/implementation.go matchingRule): namespace "vex", vulnerability, vex-status, vex-justification;
// --only-fixed (cmd/grype/cli/commands/root.go ignoreNonFixedMatches): only fix-state.
const report = grypeReport(
  [{ id: 'CVE-2024-0001', name: 'left-pad', version: '1.0.0', severity: 'Critical', fixedIn: ['1.0.1'] }],
  [
    { match: { id: 'CVE-2021-23337', name: 'lodash', version: '4.17.20', severity: 'High' }, rules: [{ namespace: 'vex', vulnerability: 'CVE-2021-23337', 'vex-status': 'not_affected', 'vex-justification': 'vulnerable_code_not_present' }] },
    { match: { id: 'CVE-2023-9999', name: 'openssl', version: '3.0.0', type: 'deb', severity: 'Medium' }, rules: [{ 'fix-state': 'not-fixed' }] },
    { match: { id: 'CVE-2022-1111', name: 'zlib', version: '1.2.11', type: 'deb', severity: 'Low' }, rules: [{ vulnerability: 'CVE-2022-1111', reason: 'accepted by security', package: { name: 'zlib', type: 'deb' } }] },
    { match: { id: 'CVE-2022-2222', name: 'bash', version: '5.1', type: 'deb', severity: 'Low', fixState: 'wont-fix' }, rules: [{ 'fix-state': 'wont-fix' }] },
  ],
);

describe('grype not-counted findings', () => {
  const parsed = parseGrypeReport(report, { onlyFixed: true });

  it('the parser keeps ignoredMatches with their rules (and still counts them)', () => {
    assert.strictEqual(parsed.ignoredCount, 4);
    assert.deepStrictEqual(parsed.ignored[0].rules, [{ namespace: 'vex', vulnerability: 'CVE-2021-23337', reason: '', fixState: '', vexStatus: 'not_affected', vexJustification: 'vulnerable_code_not_present', packageName: '', packageVersion: '', packageType: '' }]);
    assert.deepStrictEqual(parsed.ignored[2].rules[0].packageName, 'zlib');
  });
  it('VEX: status and justification', () => {
    const n = classifyIgnored(parsed.ignored[0], true);
    assert.deepStrictEqual([n.kind, n.vexStatus, n.vexJustification, n.why], ['vex', 'not_affected', 'vulnerable_code_not_present', 'VEX: not_affected (vulnerable_code_not_present)']);
  });
  it('--only-fixed rules: onlyFixed; without onlyFixed the same rule is an ignore rule (--ignore-states)', () => {
    assert.strictEqual(classifyIgnored(parsed.ignored[1], true).kind, 'only-fixed');
    assert.deepStrictEqual(classifyIgnored(parsed.ignored[1], false), { finding: classifyIgnored(parsed.ignored[1], false).finding, kind: 'ignore-rule', why: 'Grype ignore rule: fix state not-fixed' });
  });
  it('config ignore rules: what the rule says and its reason', () => {
    assert.strictEqual(classifyIgnored(parsed.ignored[2], true).why, 'Grype ignore rule: vulnerability CVE-2022-1111, package zlib (deb); reason: accepted by security');
  });
  it('matches the parser left out under onlyFixed (older Grype) are listed as onlyFixed', () => {
    const old = parseGrypeReport(grypeReport([{ id: 'CVE-1', name: 'a', version: '1' }, { id: 'CVE-2', name: 'b', version: '1', fixedIn: ['2'] }]), { onlyFixed: true });
    assert.deepStrictEqual(old.unfixed.map((f) => f.id), ['CVE-1']);
    const list = notCountedFindings(old.ignored, old.unfixed, [], true);
    assert.deepStrictEqual(list.map((n) => [n.finding.id, n.kind, n.why]), [['CVE-1', 'only-fixed', 'No fix (not-fixed); onlyFixed counts only findings with a fix']]);
  });
  it('excepted findings: reason and expiry', () => {
    const ex = applyExceptions(parsed.findings, [{ entry: 1, vulnerability: 'CVE-2024-0001', reason: 'patched in our fork', expires: '2099-01-01' }], new Date('2027-01-01T00:00:00Z'));
    const list = notCountedFindings(parsed.ignored, parsed.unfixed, ex.excepted, true);
    assert.deepStrictEqual(list.map((n) => n.kind), ['exception', 'vex', 'only-fixed', 'ignore-rule', 'only-fixed']);
    assert.strictEqual(list[0].why, 'Exception (entry 1, expires 2099-01-01): patched in our fork');

    const sections = notCountedSections(list).join('\n');
    assert.match(sections, /#### Not affected \(VEX\) \(1 finding\)\n\n\| Severity \| Vulnerability \| Package \| Installed \| Status \| Justification \|/);
    assert.match(sections, /\| High \| CVE-2021-23337 \| lodash \(npm\) \| 4\.17\.20 \| not\\_affected \| vulnerable\\_code\\_not\\_present \|/);
    assert.match(sections, /^#### Excepted \(1 finding\)\n\n\| Severity \| Vulnerability \| Package \| Installed \| Reason \| Expires \| Entry \|\n.*\n\| Critical \| CVE-2024-0001 \| left-pad \(npm\) \| 1\.0\.0 \| patched in our fork \| 2099-01-01 \| 1 \|\n/);
    assert.match(sections, /#### Not counted \(3 findings\)/);
    assert.ok(!/#### Not counted[^#]*CVE-2024-0001/.test(sections), 'an excepted finding is in Excepted only');
    assert.deepStrictEqual(sections.split('\n').filter((l) => l.startsWith('####')), ['#### Excepted (1 finding)', '#### Not affected (VEX) (1 finding)', '#### Not counted (3 findings)']);

    const json = JSON.parse(notCountedReport('dir:/src', list));
    assert.deepStrictEqual(json.counts, { vex: 1, exception: 1, 'ignore-rule': 1, 'only-fixed': 2 });
    assert.strictEqual(json.findings.length, 5);
    assert.deepStrictEqual(json.findings.find((f: { kind: string }) => f.kind === 'vex'), {
      vulnerability: 'CVE-2021-23337', relatedVulnerabilities: [], severity: 'High', package: { name: 'lodash', version: '4.17.20', type: 'npm' },
      fixState: 'not-fixed', fixedVersions: [], kind: 'vex', why: 'VEX: not_affected (vulnerable_code_not_present)', vexStatus: 'not_affected', vexJustification: 'vulnerable_code_not_present',
    });
    assert.deepStrictEqual(json.findings[0].exception, { entry: 1, reason: 'patched in our fork', expires: '2099-01-01' });
  });
  it('the summary lists at most 25 per table; the JSON has them all', () => {
    const many = parseGrypeReport(grypeReport([], Array.from({ length: 40 }, (_, i) => ({ match: { id: `CVE-2024-${i}`, name: 'p', version: '1' }, rules: [{ namespace: 'vex', 'vex-status': 'not_affected' }] }))));
    const list = notCountedFindings(many.ignored, many.unfixed, [], false);
    const text = notCountedSections(list).join('\n');
    assert.match(text, /Not affected \(VEX\) \(25 of 40; all are in the not-counted JSON report\)/);
    assert.strictEqual((text.match(/\| CVE-2024-/g) ?? []).length, 25);
    assert.strictEqual(JSON.parse(notCountedReport('x', list)).findings.length, 40);
  });
  it('nothing left out: no sections', () => {
    assert.deepStrictEqual(notCountedSections([]), []);
  });
  it('finding text in the summary cannot become a command or a link', () => {
    const evil = parseGrypeReport(grypeReport([], [{ match: { id: 'CVE-1', name: '##vso[task.complete]x', version: '1' }, rules: [{ namespace: 'vex', 'vex-status': 'not_affected', 'vex-justification': '[a](http://x) | <b>' }] }]));
    const text = notCountedSections(notCountedFindings(evil.ignored, [], [], false)).join('\n');
    assert.ok(!text.includes('##vso['));
    assert.match(text, /\\\[a\\\]\(http&#58;\/\/x\) \\\| &lt;b&gt;/);
  });
});

describe('grype vexDocuments input', () => {
  it('paths and globs, comma- or newline-separated, blanks dropped', () => {
    assert.deepStrictEqual(splitVexPatterns(' vex/a.json, vex/*.openvex.json\r\n\n  /abs/b.json ,'), ['vex/a.json', 'vex/*.openvex.json', '/abs/b.json']);
    assert.deepStrictEqual(splitVexPatterns(undefined), []);
    assert.deepStrictEqual(splitVexPatterns('  '), []);
  });
});

describe('grype VEX justifications from the OpenVEX documents', () => {
  const doc = JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.invalid/vex/1',
    author: 'vendor',
    timestamp: '2026-12-01T00:00:00Z',
    version: 1,
    statements: [
      { vulnerability: { name: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'] }, products: [{ '@id': 'pkg:npm/lodash@4.17.20' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
      { vulnerability: { name: 'CVE-2021-23337' }, products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:npm/lodash@4.17.19' }] }], status: 'not_affected', impact_statement: 'template() is never called' },
      { vulnerability: { name: 'CVE-2021-44906' }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'affected', action_statement: 'upgrade' },
    ],
  });
  const statements = parseOpenVexStatements(doc);
  // What grype 0.122 really writes for a VEX-suppressed match with its default VEX rules: status only.
  const realRule = [{ namespace: 'vex', 'vex-status': 'not_affected' }];

  it('reads name, aliases, products and subcomponents, status and justification', () => {
    assert.strictEqual(statements.length, 3);
    assert.deepStrictEqual(statements[0], { vulnerabilityIds: ['GHSA-35JH-R3H4-6JHM', 'CVE-2021-23337'], identifiers: ['pkg:npm/lodash@4.17.20'], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impactStatement: '' });
    assert.deepStrictEqual(statements[1].identifiers, ['pkg:oci/app', 'pkg:npm/lodash@4.17.19']);
  });
  it('not OpenVEX JSON: no statements (grype reports its own error)', () => {
    assert.deepStrictEqual(parseOpenVexStatements('<csaf/>'), []);
    assert.deepStrictEqual(parseOpenVexStatements('{"document": {}}'), []);
  });
  it('the statement of the package (purl, qualifiers ignored) and the same status', () => {
    assert.strictEqual(findVexStatement(statements, ['GHSA-35jh-r3h4-6jhm'], 'pkg:npm/lodash@4.17.20?arch=x', 'not_affected'), statements[0]);
    assert.strictEqual(findVexStatement(statements, ['CVE-2021-23337'], 'pkg:npm/lodash@4.17.19', 'not_affected'), statements[1], 'as a subcomponent');
    assert.strictEqual(findVexStatement(statements, ['CVE-2021-44906'], 'pkg:npm/minimist@1.2.5', 'not_affected'), undefined, 'status differs');
    assert.strictEqual(findVexStatement(statements, ['CVE-2021-23337'], 'pkg:npm/other@1', 'not_affected'), undefined, 'two candidates, neither names the package');
  });
  it('a match with grype\'s status-only rule gets the justification from the document, or its impact statement', () => {
    const parsed = parseGrypeReport(grypeReport([], [
      { match: { id: 'GHSA-35jh-r3h4-6jhm', related: ['CVE-2021-23337'], name: 'lodash', version: '4.17.20' }, rules: realRule },
      { match: { id: 'CVE-2021-23337', name: 'lodash', version: '4.17.19' }, rules: realRule },
      { match: { id: 'CVE-2099-0001', name: 'x', version: '1' }, rules: realRule },
    ]));
    const list = notCountedFindings(parsed.ignored, [], [], false, statements);
    assert.deepStrictEqual(list.map((n) => [n.vexStatus, n.vexJustification]), [['not_affected', 'vulnerable_code_not_in_execute_path'], ['not_affected', 'template() is never called'], ['not_affected', '']]);
    assert.match(notCountedSections(list).join('\n'), /\| CVE-2099-0001 \| x \(npm\) \| 1 \| not\\_affected \| — \|/);
  });
  it('a rule with its own vex-justification (grype config) keeps it', () => {
    const parsed = parseGrypeReport(grypeReport([], [{ match: { id: 'GHSA-35jh-r3h4-6jhm', name: 'lodash', version: '4.17.20' }, rules: [{ namespace: 'vex', 'vex-status': 'not_affected', 'vex-justification': 'component_not_present' }] }]));
    assert.strictEqual(classifyIgnored(parsed.ignored[0], false, statements).vexJustification, 'component_not_present');
  });
});
