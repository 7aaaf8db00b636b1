import * as assert from 'assert';
import { UserError } from '../../tasks/common/errors';
import { applyExceptions, daysLeft, exceptionCovers, parseExceptions, splitPackage, VulnerabilityException } from '../../tasks/GrypeScan/exceptions';
import { Finding, parseGrypeReport } from '../../tasks/GrypeScan/report';
import { grypeReport } from '../harness/grypeJson';

const FILE = '/src/.grype-exceptions.yaml';

function one(yaml: string): VulnerabilityException {
  const list = parseExceptions(yaml, FILE);
  assert.strictEqual(list.length, 1);
  return list[0];
}

function rejects(yaml: string, message: RegExp): void {
  assert.throws(
    () => parseExceptions(yaml, FILE),
    (err: Error) => {
      assert.ok(err instanceof UserError, `${err.name}: ${err.message}`);
      assert.ok(err.message.includes(FILE), err.message);
      assert.match(err.message, message);
      return true;
    },
  );
}

const findings: Finding[] = parseGrypeReport(
  grypeReport([
    { id: 'GHSA-35jh-r3h4-6jhm', related: ['CVE-2021-23337'], name: 'lodash', version: '4.17.20' },
    { id: 'CVE-2021-23337', name: 'lodash', version: '4.17.21' },
    { id: 'CVE-2021-23337', name: 'lodash-es', version: '4.17.20' },
    { id: 'CVE-2022-0001', name: '@babel/core', version: '7.0.0' },
  ]),
).findings;

describe('grype exceptions: the file', () => {
  it('reads an entry as written in the issue', () => {
    const e = one(`exceptions:
  - vulnerability: CVE-2021-23337   # matches the finding's id or a related id
    package: lodash                 # optional: name, or name@version
    reason: Not reachable, template() is never called
    expires: 2027-03-31
`);
    assert.deepStrictEqual(e, { entry: 1, vulnerability: 'CVE-2021-23337', packageName: 'lodash', packageVersion: undefined, reason: 'Not reachable, template() is never called', expires: '2027-03-31' });
  });
  it('package: name, name@version, and npm scopes', () => {
    assert.deepStrictEqual(splitPackage('lodash'), { name: 'lodash' });
    assert.deepStrictEqual(splitPackage('lodash@4.17.20'), { name: 'lodash', version: '4.17.20' });
    assert.deepStrictEqual(splitPackage('@babel/core'), { name: '@babel/core' });
    assert.deepStrictEqual(splitPackage('@babel/core@7.0.0'), { name: '@babel/core', version: '7.0.0' });
  });
  it('a quoted date and an empty list are fine', () => {
    assert.strictEqual(one(`exceptions:\n  - {vulnerability: CVE-1, reason: r, expires: "2027-01-02"}\n`).expires, '2027-01-02');
    assert.deepStrictEqual(parseExceptions('exceptions: []\n', FILE), []);
    assert.deepStrictEqual(parseExceptions('exceptions:\n', FILE), []);
  });
  it('invalid: bad YAML, with line and column', () => rejects('exceptions:\n  - vulnerability: [CVE-1\n', /is not valid YAML at line \d+, column \d+/));
  it('invalid: duplicate keys', () => rejects('exceptions:\n  - vulnerability: CVE-1\n    vulnerability: CVE-2\n    reason: r\n    expires: 2027-01-01\n', /not valid YAML.*duplicated mapping key/));
  it('invalid: an empty file', () => rejects('  \n', /has no 'exceptions:' list/));
  it('invalid: no exceptions key', () => rejects('ignore:\n  - vulnerability: CVE-1\n', /has no 'exceptions:' list/));
  it('invalid: an unknown top-level key', () => rejects('exceptions: []\nexpiry: 2027-01-01\n', /unknown top-level key 'expiry'/));
  it('invalid: exceptions not a list', () => rejects('exceptions:\n  vulnerability: CVE-1\n', /'exceptions' must be a list/));
  it('invalid: an entry that is not a mapping', () => rejects('exceptions:\n  - CVE-1\n', /entry 1 is not a mapping/));
  it('invalid: a missing reason names the entry', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: r, expires: 2027-01-01}\n  - {vulnerability: CVE-2, expires: 2027-01-01}\n', /entry 2 \(CVE-2\) has no 'reason'/));
  it('invalid: a missing expires', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: r}\n', /entry 1 \(CVE-1\) has no 'expires'/));
  it('invalid: an empty reason', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: "  ", expires: 2027-01-01}\n', /entry 1 \(CVE-1\) has no 'reason'/));
  it('invalid: a missing vulnerability', () => rejects('exceptions:\n  - {package: lodash, reason: r, expires: 2027-01-01}\n', /entry 1 has no 'vulnerability'/));
  it('invalid: a date that is not YYYY-MM-DD', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: r, expires: 31.03.2027}\n', /entry 1 \(CVE-1\): expires '31\.03\.2027' is not a date.*YYYY-MM-DD/));
  it('invalid: a date that does not exist', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: r, expires: 2027-02-30}\n', /expires '2027-02-30' is not a date/));
  it('invalid: a date with a time', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: r, expires: 2027-02-01T10:00:00Z}\n', /is not a date/));
  it('invalid: a number where text belongs', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: 42, expires: 2027-01-01}\n', /'reason' must be text, not number 42/));
  it('invalid: an unknown key in an entry', () => rejects('exceptions:\n  - {vulnerability: CVE-1, reason: r, expires: 2027-01-01, until: 2028-01-01}\n', /entry 1 \(CVE-1\) has unknown key 'until'/));
  it('invalid: a list where text belongs', () => rejects('exceptions:\n  - {vulnerability: CVE-1, package: [lodash], reason: r, expires: 2027-01-01}\n', /'package' must be text, not a list/));
  it('invalid: a package name with an empty version', () => rejects('exceptions:\n  - {vulnerability: CVE-1, package: "lodash@", reason: r, expires: 2027-01-01}\n', /package 'lodash@' must be a name or name@version/));
});

describe('grype exceptions: rules', () => {
  const exception = (vulnerability: string, pkg: string | undefined, expires: string, entry = 1): VulnerabilityException => {
    const split = pkg ? splitPackage(pkg) : undefined;
    return { entry, vulnerability, packageName: split?.name, packageVersion: split?.version, reason: `reason ${entry}`, expires };
  };
  const now = new Date('2027-03-01T12:00:00Z');

  it('matches the id or a related id, without regard to case', () => {
    assert.ok(exceptionCovers(exception('CVE-2021-23337', undefined, '2028-01-01'), findings[0]), 'related id of the GHSA');
    assert.ok(exceptionCovers(exception('ghsa-35jh-r3h4-6jhm', undefined, '2028-01-01'), findings[0]));
    assert.ok(!exceptionCovers(exception('CVE-2099-1', undefined, '2028-01-01'), findings[0]));
  });
  it('without a package: every package with that vulnerability', () => {
    const out = applyExceptions(findings, [exception('CVE-2021-23337', undefined, '2028-01-01')], now);
    assert.deepStrictEqual(out.excepted.map((x) => `${x.finding.packageName}@${x.finding.packageVersion}`), ['lodash@4.17.20', 'lodash@4.17.21', 'lodash-es@4.17.20']);
    assert.deepStrictEqual(out.counted.map((f) => f.id), ['CVE-2022-0001']);
  });
  it('package name without a version: that package, any version', () => {
    const out = applyExceptions(findings, [exception('CVE-2021-23337', 'lodash', '2028-01-01')], now);
    assert.deepStrictEqual(out.excepted.map((x) => x.finding.packageVersion), ['4.17.20', '4.17.21']);
  });
  it('package name@version: that version only', () => {
    const out = applyExceptions(findings, [exception('CVE-2021-23337', 'lodash@4.17.21', '2028-01-01')], now);
    assert.deepStrictEqual(out.excepted.map((x) => `${x.finding.packageName}@${x.finding.packageVersion}`), ['lodash@4.17.21']);
    assert.strictEqual(out.counted.length, 3);
  });
  it('scoped package name@version', () => {
    const out = applyExceptions(findings, [exception('CVE-2022-0001', '@babel/core@7.0.0', '2028-01-01')], now);
    assert.deepStrictEqual(out.excepted.map((x) => x.finding.packageName), ['@babel/core']);
  });
  it('unexpired and far from its date: no warning', () => {
    assert.deepStrictEqual(applyExceptions(findings, [exception('CVE-2022-0001', undefined, '2027-03-16')], now).warnings, []);
  });
  it('expiring within 14 days: still applies, and one warning with date, days left and reason', () => {
    const out = applyExceptions(findings, [exception('CVE-2022-0001', '@babel/core', '2027-03-15', 3)], now);
    assert.strictEqual(out.excepted.length, 1);
    assert.deepStrictEqual(out.warnings, ['Exception entry 3 (CVE-2022-0001, @babel/core) expires on 2027-03-15 (14 days left); it covers 1 finding. Reason: reason 3. Renew it or fix the finding before then.']);
  });
  it('the day before the expiry date: 1 day left', () => {
    const out = applyExceptions(findings, [exception('CVE-2022-0001', undefined, '2027-03-02')], now);
    assert.strictEqual(out.excepted.length, 1);
    assert.match(out.warnings[0], /expires on 2027-03-02 \(1 day left\)/);
  });
  it('expired (on its date, 00:00 UTC): its findings count again, and a warning names it, its reason and the date', () => {
    for (const expires of ['2027-03-01', '2026-12-31']) {
      const out = applyExceptions(findings, [exception('CVE-2022-0001', undefined, expires, 2)], now);
      assert.strictEqual(out.excepted.length, 0);
      assert.strictEqual(out.counted.length, 4);
      assert.deepStrictEqual(out.warnings, [`Exception entry 2 (CVE-2022-0001) expired on ${expires}, so its findings count again (1 finding). Reason it was given: reason 2. Fix the finding, or renew the exception with a new expires date.`]);
    }
  });
  it('an expired exception that covers nothing still warns (to be cleaned up)', () => {
    assert.match(applyExceptions(findings, [exception('CVE-2099-1', undefined, '2020-01-01')], now).warnings[0], /expired on 2020-01-01.*\(no finding of this scan\)/);
  });
  it('dates are compared in UTC, not in the agent\'s time zone', () => {
    const e = exception('CVE-1', undefined, '2027-03-02');
    assert.strictEqual(daysLeft(e, new Date('2027-03-01T23:59:59Z')), 1);
    assert.strictEqual(daysLeft(e, new Date('2027-03-02T00:00:00Z')), 0);
    // 23:30 on March 1st in UTC-05:00 is already March 2nd in UTC: expired.
    assert.strictEqual(daysLeft(e, new Date('2027-03-01T23:30:00-05:00')), 0);
  });
  it('one finding, two exceptions: the first unexpired one in the file counts', () => {
    const out = applyExceptions(findings.slice(3), [exception('CVE-2022-0001', undefined, '2020-01-01', 1), exception('CVE-2022-0001', undefined, '2028-01-01', 2)], now);
    assert.strictEqual(out.excepted[0].exception.entry, 2);
  });
  it('warning text from the file is neutralised (no ##vso[ commands)', () => {
    const e = { ...exception('CVE-2022-0001', undefined, '2020-01-01'), reason: 'x ##vso[task.complete result=Succeeded]' };
    assert.ok(!applyExceptions(findings, [e], now).warnings[0].includes('##vso['));
  });
});
