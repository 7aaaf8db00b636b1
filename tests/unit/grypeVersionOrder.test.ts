// Version comparators against each ecosystem's own published vectors (a selection, cited per block;
// version orderings only, no upstream code).
import * as assert from 'assert';
import {
  compareApk,
  compareDebian,
  compareMaven,
  comparePep440,
  compareRpm,
  compareSemver,
  VersionComparator,
  versionComparator,
} from '../../tasks/GrypeScan/versionOrder';

type Vector = [string, '<' | '=' | '>', string];

function check(name: string, compare: VersionComparator, vectors: Vector[]): void {
  describe(`version order: ${name}`, () => {
    for (const [a, op, b] of vectors) {
      const want = op === '<' ? -1 : op === '>' ? 1 : 0;
      it(`${a} ${op} ${b}`, () => {
        assert.strictEqual(compare(a, b), want, `${a} vs ${b}`);
        assert.strictEqual(compare(b, a), -want || 0, `${b} vs ${a}`);
      });
    }
  });
}

/** Every earlier element is lower than every later one (how Maven's and PEP 440's suites state order). */
function ascending(list: string[]): Vector[] {
  const vectors: Vector[] = [];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) vectors.push([list[i], '<', list[j]]);
  return vectors;
}

// Semantic Versioning 2.0.0, §11 (precedence example), plus Go's spellings (v prefix, go1.20 = 1.20.0).
check('semver', compareSemver, [
  ...ascending(['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']),
  ['1.0.0', '<', '2.0.0'],
  ['2.0.0', '<', '2.1.0'],
  ['2.1.0', '<', '2.1.1'],
  ['1.0.0+build.1', '=', '1.0.0+build.2'],
  ['v1.2.3', '=', '1.2.3'],
  ['go1.20', '=', '1.20.0'],
  ['go1.20', '<', '1.20.3'],
  ['1.19.8', '<', 'go1.20'],
]);

// dpkg: scripts/t/Dpkg_Version.t (the comparison table under __DATA__), dpkg 1.21.
check('Debian (dpkg)', compareDebian, [
  ['1.0-1', '<', '2.0-2'],
  ['2.2~rc-4', '<', '2.2-1'],
  ['1.0000-1', '=', '1.0-1'],
  ['1', '=', '0:1'],
  ['0', '=', '0:0-0'],
  ['2:2.5', '>', '1:7.5'],
  ['1:0foo', '>', '0foo'],
  ['0:0foo', '=', '0foo'],
  ['0foo-', '=', '0foo'],
  ['0foo-', '=', '0foo-0'],
  ['0foo', '>', '0fo'],
  ['0foo-', '<', '0foo+'],
  ['0foo~1', '<', '0foo'],
  ['0foo~foo+Bar', '<', '0foo~foo+bar'],
  ['0foo~~', '<', '0foo~'],
  ['1~', '<', '1'],
  ['12345+that-really-is-some-ver-0', '<', '12345+that-really-is-some-ver-10'],
  ['0foo-0', '<', '0foo-01'],
  ['0foo.bar', '>', '0foobar'],
  ['0foo.bar', '>', '0foo1bar'],
  ['0foo.bar', '>', '0foo0bar'],
  ['0foo1bar-1', '<', '0foobar-1'],
  ['0foo2.0', '>', '0foo2'],
  ['0foo2.0.0', '<', '0foo2.10.0'],
  ['0foo2.0', '<', '0foo2.0.0'],
  ['0foo2.0', '<', '0foo2.10'],
  ['0foo2.1', '<', '0foo2.10'],
  ['1.09', '=', '1.9'],
  ['1.0.8+nmu1', '>', '1.0.8'],
  ['3.11', '>', '3.10+nmu1'],
  ['0.9j-20080306-4', '>', '0.9i-20070324-2'],
  ['1.2.0~b7-1', '>', '1.2.0~b6-1'],
  ['1.011-1', '>', '1.06-2'],
  ['0.0.9+dfsg1-1', '>', '0.0.8+dfsg1-3'],
  ['4.6.99+svn6582-1', '>', '4.6.99+svn6496-1'],
  ['53', '>', '52'],
  ['0.9.9~pre122-1', '>', '0.9.9~pre111-1'],
  ['2:2.3.2-2+lenny2', '>', '2:2.3.2-2'],
  ['1:3.8.1-1', '>', '3.8.GA-1'],
  ['1.0.1+gpl-1', '>', '1.0.1-2'],
  ['1a', '<', '1000a'],
  // Debian security fixes as Grype reports them.
  ['3.0.11-1~deb12u2', '<', '3.0.13-1~deb12u1'],
  ['1.2.13.dfsg-1', '<', '1:1.2.13.dfsg-1'],
]);

// rpm: tests/rpmvercmp.at (RPMVERCMP cases, tilde and caret), plus epoch and release.
check('RPM', compareRpm, [
  ['1.0', '=', '1.0'],
  ['1.0', '<', '2.0'],
  ['2.0.1', '=', '2.0.1'],
  ['2.0', '<', '2.0.1'],
  ['2.0.1a', '>', '2.0.1'],
  ['5.5p1', '<', '5.5p2'],
  ['5.5p1', '<', '5.5p10'],
  ['10xyz', '<', '10.1xyz'],
  ['xyz10', '<', 'xyz10.1'],
  ['xyz.4', '<', '8'],
  ['xyz.4', '<', '2'],
  ['5.5p2', '<', '5.6p1'],
  ['5.6p1', '<', '6.5p1'],
  ['6.0.rc1', '>', '6.0'],
  ['10b2', '>', '10a1'],
  ['10a2', '<', '10b2'],
  ['1.0a', '<', '1.0aa'],
  ['10.0001', '=', '10.1'],
  ['10.0001', '<', '10.0039'],
  ['4.999.9', '<', '5.0'],
  ['20101121', '<', '20101122'],
  ['2_0', '=', '2.0'],
  ['a+', '=', 'a_'],
  ['+a', '=', '_a'],
  ['+', '=', '_'],
  ['1.0~rc1', '<', '1.0'],
  ['1.0~rc1', '<', '1.0~rc2'],
  ['1.0~rc1~git123', '<', '1.0~rc1'],
  ['1.0^', '>', '1.0'],
  ['1.0^git1', '<', '1.0.1'],
  ['1.0^git1', '<', '1.0^git2'],
  ['1.0~rc1^git1', '<', '1.0~rc1^git2'],
  ['1.0^20160101', '<', '1.0.1'],
  ['1.0~rc1', '<', '1.0~rc1^git1'],
  // epoch:version-release as Grype reports RPMs
  ['1:1.0-1', '>', '2.0-1'],
  ['0:1.1.1k-7.el8_6', '<', '1.1.1k-9.el8_7'],
  ['3.0.7-25.el9_3', '<', '3.0.7-27.el9'],
]);

// apk-tools: test/version.data (a selection; lines marked invalid there read as "order unknown" here).
check('Alpine (apk)', compareApk, [
  ['2.34', '>', '0.1.0_alpha'],
  ['0.1.0_alpha', '=', '0.1.0_alpha'],
  ['0.1.0_alpha', '<', '0.1.3_alpha'],
  ['0.1.0_alpha2', '>', '0.1.0_alpha'],
  ['0.1.0_alpha', '<', '2.2.39-r1'],
  ['1.0.4-r3', '<', '1.0.4-r4'],
  ['1.1', '>', '1.1_alpha1'],
  ['1.2.1', '>', '1.2'],
  ['1.2', '<', '1.3_alpha'],
  ['0.7.0', '<', '0.8_beta1'],
  ['3.10.18-r1', '>', '2.3.0b-r1'],
  ['2.3.0b-r1', '<', '2.3.0b-r2'],
  ['0.12.3', '>', '0.12'],
  ['0.13_beta5', '>', '0.9.12'],
  ['1.2.12.1', '<', '1.2.13'],
  ['3.1_p16', '<', '3.1_p17'],
  ['1.06-r6', '<', '006'],
  ['006', '>', '1.0.0'],
  ['1.2.2-r1', '>', '1.2.2'],
  ['20050718-r1', '<', '20050718-r2'],
  ['3.0.20060720', '<', '20060720'],
  ['2.5.1-r8', '<', '2.5.1a-r1'],
  ['1.7', '<', '1.7b'],
  ['1.8.5', '<', '1.8.5_p2'],
  ['0.10.0-r1', '>', '0.10.0'],
  ['0.10.0', '<', '0.10.1_rc1'],
  ['1.2.07.8', '<', '1.2.12.04'],
  ['1.2.12.04', '<', '1.2.12.05'],
  ['021109-r3', '<', '20060512'],
  ['2.12r-r4', '<', '2.12r-r5'],
  ['0.59s-r11', '<', '0.65'],
  ['2.9.11_pre20051101-r3', '>', '2.9.11_pre20051101'],
  ['0.20070118', '<', '0.20070207_rc1'],
  ['4.5_p1-r1', '>', '4.5_p1'],
  ['0.9.28.1', '>', '0.9.28'],
  ['7.0.17', '<', '7.0.174'],
  ['1.3-r0', '<', '1.3.1-r0'],
  ['1.3_pre1-r1', '<', '1.3.2'],
  ['1.0_p10-r0', '>', '1.0_p9-r0'],
  ['0.1.0_alpha_pre2', '<', '0.1.0_alpha'],
  ['1.0.0_pre20191002222144-r0', '<', '1.0.0_pre20210530193627-r0'],
]);

// Maven: ComparableVersionTest (VERSIONS_QUALIFIER and VERSIONS_NUMBER in ascending order, equalities, MNG-5568/6964).
check('Maven', compareMaven, [
  ...ascending(['1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2', '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot', '1-1', '1-2', '1-123']),
  ...ascending(['2.0', '2.0.a', '2-1', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2', '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m']),
  ['1', '=', '1.0.0'],
  ['1', '=', '1-0'],
  ['1.0', '=', '1.0-0'],
  ['1a', '=', '1-a'],
  ['1a', '=', '1.0.0-a'],
  ['1cr', '=', '1rc'],
  ['1a1', '=', '1-alpha-1'],
  ['1b2', '=', '1-beta-2'],
  ['1m3', '=', '1-milestone-3'],
  ['1X', '=', '1x'],
  ['1m3', '=', '1MILESTONE3'],
  ['1ga', '=', '1'],
  ['1release', '=', '1'],
  ['1final', '=', '1'],
  ['1.0-alpha-1', '<', '1.0'],
  ['1.0-beta-1', '<', '1.0-SNAPSHOT'],
  ['1.0-alpha-1-SNAPSHOT', '<', '1.0-alpha-1'],
  ['1.0.0', '<', '1.0-1'],
  ['2.0-1', '<', '2.0.1'],
  ['2.0.1-klm', '<', '2.0.1-lmn'],
  ['2.0.1-xyz', '<', '2.0.1-123'],
  ['0.2', '<', '1.0.7'],
  ['6.1.0rc3', '<', '6.1.0'],
  ['6.1.0rc3', '<', '6.1H.5-beta'],
  ['6.1.0', '<', '6.1H.5-beta'],
  ['20190126.230843', '<', '1234567890.12345'],
  ['1234567890.12345', '<', '12345678901234567890.1H.5-beta'],
  ['0000000000000000001', '=', '1'],
  ['1-0.alpha', '<', '1'],
  ['1-0.beta', '<', '1'],
  // What Grype reports for Java archives
  ['2.14.1', '<', '2.15.0'],
  ['2.17.0', '<', '2.17.1'],
  ['5.3.17', '<', '5.3.18.RELEASE'],
]);

// PEP 440: "Summary of permitted suffixes and relative ordering" example, in ascending order.
check('PEP 440', comparePep440, [
  ...ascending(['1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5', '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1']),
  ['1.0', '=', '1.0.0'],
  ['1!1.0', '>', '2.0'],
]);

describe('version order: unknown', () => {
  it('a version a scheme cannot read has no order there (the caller lists fix versions as given)', () => {
    assert.strictEqual(compareSemver('1.2.3', 'not a version'), undefined);
    assert.strictEqual(compareDebian('a:1.0', '1.0'), undefined, 'epoch not a number');
    assert.strictEqual(compareDebian('1.0 1', '1.0'), undefined, 'embedded space');
    assert.strictEqual(compareRpm('x:1.0', '1.0'), undefined);
    assert.strictEqual(compareApk('1.0', '1.0bc'), undefined, 'apk-tools marks 1.0bc invalid');
    assert.strictEqual(compareApk('23_foo', '4_beta'), undefined, 'apk-tools marks _foo invalid');
    assert.strictEqual(comparePep440('1.0', 'foo bar'), undefined);
    assert.strictEqual(compareMaven('', '1'), undefined);
  });
  it('artifact types map to their ecosystem; unknown types have no order', () => {
    assert.strictEqual(versionComparator('npm'), compareSemver);
    assert.strictEqual(versionComparator('go-module'), compareSemver);
    assert.strictEqual(versionComparator('deb'), compareDebian);
    assert.strictEqual(versionComparator('rpm'), compareRpm);
    assert.strictEqual(versionComparator('apk'), compareApk);
    assert.strictEqual(versionComparator('python'), comparePep440);
    assert.strictEqual(versionComparator('java-archive'), compareMaven);
    assert.strictEqual(versionComparator('gem'), undefined);
  });
});
