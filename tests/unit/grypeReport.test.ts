import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { decodeReport, normaliseSeverity, parseGrypeReport, reportSizeProblem } from '../../tasks/GrypeScan/report';
import { GOLDEN, golden, GOLDEN_DB_BUILT } from '../harness/golden';
import { describeSharedFixtures, fixture, sharedFixturesDir } from '../harness/paths';
import { countsOf, EXPECTED_DEBIAN, EXPECTED_NPM, ExpectedFinding } from '../harness/realWorld';

const handWritten = fixture('grype-json');

// ------------------------------------------------------------------------------------------
// The test's own, independent reading of a fixture (does not use the parser under test):
// TextDecoder by BOM, the JSON object found by a string-aware brace matcher, severities
// counted from `matches[]` with an explicit table.
// ------------------------------------------------------------------------------------------

type Tally = Record<'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible' | 'Unknown', number> & { total: number; fixed: number; ignored: number };

function independentText(file: string): string {
  const bytes = fs.readFileSync(file);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes); // strips the BOM
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes); // strips a UTF-8 BOM
}

/** [start, end) of the first balanced top-level `{…}` that begins a line. */
function independentObjectSpan(text: string): [number, number] {
  const lines = text.split('\n');
  let offset = 0;
  let start = -1;
  for (const line of lines) {
    if (line.trimStart().startsWith('{')) {
      start = offset + line.indexOf('{');
      break;
    }
    offset += line.length + 1;
  }
  assert.ok(start >= 0, 'no JSON object in fixture');
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return [start, i + 1];
    }
  }
  throw new Error('unbalanced JSON in fixture');
}

const SEVERITY_TABLE: Record<string, keyof Omit<Tally, 'total' | 'fixed' | 'ignored'>> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  negligible: 'Negligible',
};

function independentTally(file: string, onlyFixed = false): Tally {
  const text = independentText(file);
  const [a, b] = independentObjectSpan(text);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const doc: any = JSON.parse(text.slice(a, b));
  const tally: Tally = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, total: 0, fixed: 0, ignored: (doc.ignoredMatches ?? []).length };
  for (const m of doc.matches) {
    const v = m.vulnerability ?? {};
    const isFixed = v.fix ? v.fix.state === 'fixed' : typeof v.fixedInVersion === 'string' && v.fixedInVersion !== '';
    if (onlyFixed && !isFixed) continue;
    const sev = SEVERITY_TABLE[String(v.severity ?? '').toLowerCase()] ?? 'Unknown';
    tally[sev]++;
    tally.total++;
    if (isFixed) tally.fixed++;
  }
  return tally;
}

function tallyOfParsed(file: string, onlyFixed = false): Tally {
  const report = parseGrypeReport(fs.readFileSync(file), { onlyFixed });
  const tally: Tally = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, total: report.findings.length, fixed: 0, ignored: report.ignoredCount };
  for (const f of report.findings) {
    tally[f.severity]++;
    if (f.fixState === 'fixed') tally.fixed++;
  }
  return tally;
}

/** Match counts as recorded in the shared corpus's SOURCES.md (a third, human-curated reading). */
function sourcesMatchCounts(shared: string): Record<string, number> {
  const text = fs.readFileSync(path.join(shared, 'SOURCES.md'), 'utf8');
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^\| `grype-json\/([^`]+)` \| [^|]+ \| (\d+) matches \|/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

/** The tally the records of realWorld.ts lead to (a third reading, made before grype ran). */
function tallyOfRecords(findings: ExpectedFinding[]): Tally {
  const c = countsOf(findings);
  return { Critical: c.critical, High: c.high, Medium: c.medium, Low: c.low, Negligible: c.negligible, Unknown: c.unknown, total: c.total, fixed: c.fixable, ignored: 0 };
}

const zero: Tally = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, total: 0, fixed: 0, ignored: 0 };

/** The project's own reports, and what each holds: golden ones from the records, hand-written ones as written. */
const OWN_REPORTS: [string, Tally][] = [
  [golden(GOLDEN.grypeDirJson), tallyOfRecords(EXPECTED_NPM)],
  [golden(GOLDEN.grypeImageJson), tallyOfRecords(EXPECTED_DEBIAN)],
  [golden(GOLDEN.grypeEmptyJson), zero],
  [path.join(handWritten, 'grype-0.7-shape.json'), { ...zero, High: 1, Medium: 1, Negligible: 1, Unknown: 1, total: 4, fixed: 2 }],
  [path.join(handWritten, 'grype-0.24-shape.json'), { ...zero, Critical: 1, High: 1, Medium: 1, total: 3 }],
  [path.join(handWritten, 'grype-0.80-shape-ignored.json'), { ...zero, Critical: 1, Low: 1, Negligible: 1, total: 3, fixed: 1, ignored: 2 }],
  [path.join(handWritten, 'grype-0.91-shape-utf16le-bom.json'), { ...zero, Critical: 1, Medium: 2, total: 3, fixed: 2 }],
  [path.join(handWritten, 'grype-0.95-shape-utf8-bom-log-lines.json'), { ...zero, High: 1, Low: 1, total: 2, fixed: 1 }],
];

/** Per report: the parser's counts equal the independent reading (and `expected`, where known). */
function corpusTests(files: string[], expected: (file: string) => number | Tally | undefined): void {
  for (const file of files) {
    const name = path.basename(file);
    it(`${name}: counts per severity equal an independent reading`, () => {
      const independent = independentTally(file);
      assert.deepStrictEqual(tallyOfParsed(file), independent);
      const known = expected(file);
      if (typeof known === 'number') assert.strictEqual(independent.total, known, 'SOURCES.md match count');
      else if (known) assert.deepStrictEqual(independent, known, 'the counts the fixture was made with');
    });
    it(`${name}: onlyFixed keeps exactly the fixed findings`, () => {
      assert.deepStrictEqual(tallyOfParsed(file, true), independentTally(file, true));
    });
  }

  it('every finding has an id, a package and a normalised severity', () => {
    for (const file of files) {
      for (const f of parseGrypeReport(fs.readFileSync(file)).findings) {
        assert.ok(f.id, `${file}: finding without id`);
        assert.ok(f.packageName, `${file}: finding without package`);
        assert.ok(['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'].includes(f.severity));
      }
    }
  });
}

describe("grype report parser: the project's own reports (golden and hand-written)", () => {
  corpusTests(OWN_REPORTS.map(([file]) => file), (file) => OWN_REPORTS.find(([f]) => f === file)?.[1]);

  it('finds every hand-written report', () => {
    const listed = OWN_REPORTS.map(([file]) => file).filter((f) => path.dirname(f) === handWritten);
    assert.deepStrictEqual(fs.readdirSync(handWritten).filter((f) => f.endsWith('.json')).map((f) => path.join(handWritten, f)).sort(), listed.sort());
  });

  it('ignoredMatches are not findings (the pre-0.88 report has 2)', () => {
    const r = parseGrypeReport(fs.readFileSync(path.join(handWritten, 'grype-0.80-shape-ignored.json')));
    assert.strictEqual(r.ignoredCount, 2);
    assert.deepStrictEqual(r.findings.map((f) => f.id).sort(), ['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003']);
  });

  it('reads the descriptor: version and DB build date across schemas', () => {
    const v6 = parseGrypeReport(fs.readFileSync(golden(GOLDEN.grypeImageJson)));
    assert.strictEqual(v6.grypeVersion, PINNED_VERSIONS.grype);
    assert.strictEqual(v6.dbBuilt, GOLDEN_DB_BUILT);
    assert.match(v6.dbSchemaVersion ?? '', /^v6\.\d+\.\d+$/);
    const v6early = parseGrypeReport(fs.readFileSync(path.join(handWritten, 'grype-0.95-shape-utf8-bom-log-lines.json')));
    assert.deepStrictEqual([v6early.grypeVersion, v6early.dbBuilt, v6early.dbSchemaVersion], ['0.95.0', '2025-06-30T04:19:58Z', 'v6.0.2']);
    const v5 = parseGrypeReport(fs.readFileSync(path.join(handWritten, 'grype-0.80-shape-ignored.json')));
    assert.deepStrictEqual([v5.grypeVersion, v5.dbBuilt, v5.dbSchemaVersion], ['0.80.0', '2024-09-10T01:31:40Z', '5']);
    const v3 = parseGrypeReport(fs.readFileSync(path.join(handWritten, 'grype-0.24-shape.json')));
    assert.deepStrictEqual([v3.grypeVersion, v3.dbBuilt, v3.dbSchemaVersion], ['0.24.0', '2021-11-03T08:09:10Z', '3']);
    const old = parseGrypeReport(fs.readFileSync(path.join(handWritten, 'grype-0.7-shape.json')));
    assert.strictEqual(old.grypeVersion, '0.7.0');
    assert.strictEqual(old.dbBuilt, undefined);
  });

  it('0.7 schema: fixedInVersion becomes fix state fixed with that version', () => {
    const old = parseGrypeReport(fs.readFileSync(path.join(handWritten, 'grype-0.7-shape.json')));
    const f = old.findings.find((x) => x.id === 'CVE-2019-0001' && x.packageName === 'libssl1.1');
    assert.ok(f);
    assert.strictEqual(f.fixState, 'fixed');
    assert.deepStrictEqual(f.fixedVersions, ['1.1.1d-0+deb10u3']);
    const unfixed = old.findings.find((x) => x.id === 'CVE-2019-0002');
    assert.ok(unfixed);
    assert.notStrictEqual(unfixed.fixState, 'fixed');
    assert.deepStrictEqual(unfixed.fixedVersions, []);
  });

  it('the golden reports name the packages and advisories of the records', () => {
    for (const [file, findings] of [[GOLDEN.grypeDirJson, EXPECTED_NPM], [GOLDEN.grypeImageJson, EXPECTED_DEBIAN]] as const) {
      const parsed = parseGrypeReport(fs.readFileSync(golden(file))).findings.map((f) => `${f.id} ${f.packageName} ${f.packageVersion} ${f.severity} ${f.fixedVersions.join('/')}`);
      const expected = findings.map((f) => `${f.id} ${f.package} ${f.version} ${f.severity} ${f.fixed ?? ''}`);
      assert.deepStrictEqual(parsed.sort(), expected.sort(), file);
    }
  });
});

describeSharedFixtures('grype report parser: every fixture in shared/fixtures/grype-json', (shared) => {
  const grypeJsonDir = path.join(shared, 'grype-json');
  const files = fs.readdirSync(grypeJsonDir).filter((f) => f.endsWith('.json')).sort();
  const recorded = sourcesMatchCounts(shared);

  it('finds the fixtures (34 of them at the time of writing)', () => {
    assert.ok(files.length >= 34, `only ${files.length} fixtures`);
  });

  corpusTests(files.map((name) => path.join(grypeJsonDir, name)), (file) => recorded[path.basename(file)]);

  it('ignoredMatches are not findings (grype 0.109.1 has 3)', () => {
    const r = parseGrypeReport(fs.readFileSync(path.join(grypeJsonDir, 'grype-0.109.1-debian-13-image.json')));
    assert.strictEqual(r.ignoredCount, 3);
    assert.strictEqual(r.findings.length, 90);
  });

  it('reads the descriptor: version and DB build date across schemas', () => {
    const v6 = parseGrypeReport(fs.readFileSync(path.join(grypeJsonDir, 'grype-0.112.0-chainguard-image.json')));
    assert.strictEqual(v6.grypeVersion, '0.112.0');
    assert.strictEqual(v6.dbBuilt, '2026-05-08T06:53:55Z');
    assert.strictEqual(v6.dbSchemaVersion, 'v6.1.4');
    const v5 = parseGrypeReport(fs.readFileSync(path.join(grypeJsonDir, 'grype-0.24.0-dir-scan.json')));
    assert.strictEqual(v5.grypeVersion, '0.24.0');
    assert.strictEqual(v5.dbBuilt, '2021-10-27T08:14:21Z');
    assert.strictEqual(v5.dbSchemaVersion, '3');
    const old = parseGrypeReport(fs.readFileSync(path.join(grypeJsonDir, 'grype-0.7.0-defectdojo-django-1.13.1-image.json')));
    assert.strictEqual(old.grypeVersion, '0.7.0');
    assert.strictEqual(old.dbBuilt, undefined);
  });

  it('0.7 schema: fixedInVersion becomes fix state fixed with that version', () => {
    const old = parseGrypeReport(fs.readFileSync(path.join(grypeJsonDir, 'grype-0.7.0-defectdojo-django-1.13.1-image.json')));
    const f = old.findings.find((x) => x.id === 'CVE-2021-24031' && x.packageName === 'libzstd1');
    assert.ok(f);
    assert.strictEqual(f.fixState, 'fixed');
    assert.deepStrictEqual(f.fixedVersions, ['1.3.8+dfsg-3+deb10u1']);
  });
});

describe('grype report parser: encodings, noise and errors', () => {
  it("refuses a report larger than V8's string limit before reading it, saying what to do", () => {
    assert.strictEqual(reportSizeProblem('r.json', 1000, 1000), undefined);
    const problem = reportSizeProblem('r.json', 1001, 1000);
    assert.match(problem ?? '', /^r\.json is 1001 B, more than the 1000 B a Node\.js task can read as text\. .*--exclude/);
    // the real limit, for a 1 GB report
    assert.match(reportSizeProblem('r.json', 1024 ** 3) ?? '', /is 1\.0 GB, more than the 512\.0 MB/);
    assert.strictEqual(reportSizeProblem('r.json', 400 * 1024 ** 2), undefined);
  });

  const small = fs.readFileSync(golden(GOLDEN.grypeImageJson));
  const smallText = small.toString('utf8');
  const smallCount = EXPECTED_DEBIAN.length;

  it('UTF-8 with BOM', () => {
    const r = parseGrypeReport(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), small]));
    assert.strictEqual(r.findings.length, smallCount);
  });
  it('UTF-16LE and UTF-16BE with BOM', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(smallText, 'utf16le')]);
    assert.strictEqual(parseGrypeReport(le).findings.length, smallCount);
    const be = Buffer.from(Buffer.concat([Buffer.from(smallText, 'utf16le')]));
    be.swap16();
    assert.strictEqual(parseGrypeReport(Buffer.concat([Buffer.from([0xfe, 0xff]), be])).findings.length, smallCount);
    assert.strictEqual(decodeReport(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), smallText);
  });
  it('log lines before (including ones starting with "[") and after the document', () => {
    const noisy = `[0000]  WARN something [x]\nerror purl scheme is not "pkg": ""\n${smallText}\n[0019] ERROR \u001b[31mdiscovered vulnerabilities at or above the severity threshold\u001b[0m\n`;
    assert.strictEqual(parseGrypeReport(Buffer.from(noisy)).findings.length, smallCount);
  });
  it('severity words are normalised case-insensitively; anything else is Unknown', () => {
    assert.strictEqual(normaliseSeverity('CRITICAL'), 'Critical');
    assert.strictEqual(normaliseSeverity(' high '), 'High');
    assert.strictEqual(normaliseSeverity('negligible'), 'Negligible');
    assert.strictEqual(normaliseSeverity('Severe'), 'Unknown');
    assert.strictEqual(normaliseSeverity(''), 'Unknown');
    assert.strictEqual(normaliseSeverity(undefined), 'Unknown');
    assert.strictEqual(normaliseSeverity(7), 'Unknown');
    const doc = { matches: ['CRITICAL', 'hIgH', 'bogus', null].map((s, i) => ({ vulnerability: { id: `V-${i}`, severity: s }, artifact: { name: 'p', version: '1' } })), descriptor: { name: 'grype', version: '0.1.0' } };
    assert.deepStrictEqual(parseGrypeReport(JSON.stringify(doc)).findings.map((f) => f.severity), ['Critical', 'High', 'Unknown', 'Unknown']);
  });

  const notGrype: [string, string][] = [
    ['SARIF', golden(GOLDEN.grypeImageSarif)],
    ['CycloneDX', golden(GOLDEN.grypeImageCycloneDx)],
    ['Syft JSON', golden(GOLDEN.syftDirSyftJson)],
  ];
  const shared = sharedFixturesDir();
  if (shared) {
    notGrype.push(
      ['shared SARIF', path.join(shared, 'grype-sarif', 'snapshot-grype-head-sarif-image.sarif.json')],
      ['shared CycloneDX', path.join(shared, 'grype-cyclonedx', 'snapshot-grype-head-cdx-image.cdx.json')],
      ['shared Syft JSON', path.join(shared, 'syft', 'snapshot-syft-head-syft-json-dir.json')],
    );
  }
  for (const [kind, file] of notGrype) {
    it(`a ${kind} document is a clear error`, () => {
      assert.throws(() => parseGrypeReport(fs.readFileSync(file), { label: 'X' }), (e: Error) => e instanceof UserError && /not a Grype JSON report/.test(e.message));
    });
  }
  it('other non-Grype inputs are clear errors', () => {
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['   \n', /is empty/],
      ['hello world\nno json here', /contains no JSON object/],
      ['[1,2,3]', /no JSON object|not a Grype/],
      ['{"matches": "nope", "descriptor": {"name": "grype"}}', /not a Grype JSON report/],
      ['{"matches": [], "descriptor": {"name": "trivy"}}', /not a Grype JSON report/],
      ['{"foo": 1}', /not a Grype JSON report/],
    ];
    for (const [text, re] of cases) {
      assert.throws(() => parseGrypeReport(Buffer.from(text)), (e: Error) => e instanceof UserError && re.test(e.message), text);
    }
  });
  it('a truncated report is a clear error that says so', () => {
    const reports = [golden(GOLDEN.grypeDirJson), ...(shared ? [path.join(shared, 'grype-json', 'grype-0.104.2-maven-dir-scan.json')] : [])];
    for (const report of reports) {
      const big = fs.readFileSync(report);
      const lastBrace = big.lastIndexOf('}');
      for (const n of [1, 100, 5000, lastBrace - 10, lastBrace]) {
        assert.throws(() => parseGrypeReport(big.subarray(0, n)), (e: Error) => e instanceof UserError && /truncated/.test(e.message), `${report} cut at ${n}`);
      }
    }
  });
  it('error messages carry no stack and name the label', () => {
    try {
      parseGrypeReport(Buffer.from('{"matches": ['), { label: "Grype's JSON report /x.json" });
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof UserError);
      assert.match((e as Error).message, /^Grype's JSON report \/x\.json is truncated/);
    }
  });
});
