import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseFormats, FormatSpec } from '../../tasks/SyftSbom/formats';
import { countSpdxJson, countSpdxTagValue } from '../../tasks/SyftSbom/sbomInfo';
import * as processing from '../../tasks/SyftSbom/sbomProcessing';
import * as provenanceModule from '../../tasks/SyftSbom/provenance';
import * as validation from '../../tasks/SyftSbom/validation';
import { GOLDEN, golden } from '../harness/golden';
import { sharedFixturesDir } from '../harness/paths';

/** Syft's golden outputs for the npm project and the image (tests/fixtures/golden). */
const OWN_SBOMS = [
  GOLDEN.syftDirCycloneDxJson, GOLDEN.syftDirCycloneDx15Json, GOLDEN.syftDirCycloneDxXml, GOLDEN.syftDirSpdxJson,
  GOLDEN.syftDirSpdxTagValue, GOLDEN.syftDirSyftJson, GOLDEN.syftDirTable, GOLDEN.syftImageCycloneDxJson,
].map(golden);
const sharedSyft = sharedFixturesDir() && path.join(sharedFixturesDir()!, 'syft');
const SHARED_SBOMS = sharedSyft ? fs.readdirSync(sharedSyft).sort().map((f) => path.join(sharedSyft, f)) : [];

const ENV = {
  BUILD_DEFINITIONNAME: 'fixture-pipeline',
  BUILD_BUILDID: '4711',
  SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
  SYSTEM_TEAMPROJECT: 'proj',
  BUILD_REPOSITORY_URI: 'https://dev.azure.com/contoso/proj/_git/repo',
  BUILD_SOURCEBRANCH: 'refs/heads/feature/<&>',
  BUILD_SOURCEVERSION: 'deadbeef',
  AGENT_OS: 'Linux',
};

function formatOf(file: string): FormatSpec | undefined {
  if (file.endsWith('.cdx.json')) return parseFormats('cyclonedx-json')[0];
  if (file.endsWith('.cdx.xml')) return parseFormats('cyclonedx-xml')[0];
  if (file.endsWith('.spdx.json')) return parseFormats('spdx-json')[0];
  if (file.endsWith('.spdx')) return parseFormats('spdx-tag-value')[0];
  if (file.endsWith('.json')) return parseFormats('syft-json')[0];
  if (file.endsWith('.txt')) return parseFormats('syft-table')[0];
  return undefined;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe("syft SBOM processing over the golden SBOMs and every shared syft fixture, when present", function () {
  this.timeout(120_000);
  // The modules as they ship: the task bundles them unchanged (no bundle-time rewrites).
  const m = { ...processing, ...provenanceModule, ...validation };
  let work: string;
  const provenance = () => m.provenanceProperties(ENV);
  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'syft-fixtures-'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  let copies = 0;
  /** A copy of `source` (or `data`) in the work folder, under the source's name. */
  function copy(source: string, data?: Buffer | string): string {
    const file = path.join(work, `${copies++}-${path.basename(source)}`);
    fs.writeFileSync(file, data ?? fs.readFileSync(source));
    return file;
  }

  it('finds the fixtures', () => {
    assert.strictEqual(OWN_SBOMS.filter((f) => /\.cdx\.(json|xml)$/.test(f)).length, 4);
    if (sharedSyft) assert.ok(SHARED_SBOMS.filter((f) => /\.cdx\.(json|xml)$/.test(f)).length >= 6, SHARED_SBOMS.join(', '));
  });

  for (const source of [...OWN_SBOMS, ...SHARED_SBOMS]) {
    const format = formatOf(source);
    if (!format) continue;
    const name = `${sharedSyft && source.startsWith(sharedSyft) ? 'shared ' : 'golden '}${path.basename(source)}`;
    if (format.kind === 'cyclonedx-json') {
      it(`${name}: provenance added, validity unchanged, everything else preserved in order`, async () => {
        const originalText = fs.readFileSync(source, 'utf8');
        const original = JSON.parse(originalText);
        const before = await m.validateCycloneDxJson(JSON.parse(originalText));
        assert.ok(before.checked, before.note);
        const file = copy(source);
        const result = await m.processSbom(format, file, { provenance: provenance(), validate: true, count: true, keepContent: true });
        assert.strictEqual(result.provenance!.added, 7);
        assert.ok(result.validation!.checked);
        assert.strictEqual(result.validation!.valid, before.valid, `valid before: ${before.valid}, after: ${result.validation!.errors.join('; ')}`);
        if (!before.valid) assert.ok(result.validation!.errors.length > 0 && result.validation!.errorCount > 0);
        const finalText = fs.readFileSync(file, 'utf8');
        assert.strictEqual(result.sha256, sha256(finalText));
        assert.strictEqual(result.bytes, Buffer.byteLength(finalText));
        assert.deepStrictEqual(Buffer.concat(result.content!), Buffer.from(finalText));
        const final = JSON.parse(finalText);
        // The last 7 metadata properties are ours; without them the document is the original, key order included.
        const added = final.metadata.properties.splice(-7);
        assert.deepStrictEqual(added, provenance());
        if (!original.metadata?.properties) delete final.metadata.properties;
        if (!original.metadata) delete final.metadata;
        assert.strictEqual(JSON.stringify(final), JSON.stringify(original));
        // Same layout as Syft wrote it.
        assert.strictEqual(m.jsonIndent(finalText), m.jsonIndent(originalText));
        assert.ok(result.counts!.total > 0);
      });
    } else if (format.kind === 'cyclonedx-xml') {
      it(`${name}: provenance spliced in, validity unchanged, every other byte preserved`, async () => {
        const originalText = fs.readFileSync(source, 'utf8');
        const info = m.xmlBomInfo(originalText);
        const before = await m.validateCycloneDxXml(originalText, info.version);
        assert.ok(before.checked, before.note);
        const file = copy(source);
        const result = await m.processSbom(format, file, { provenance: provenance(), validate: true, count: true, keepContent: false });
        assert.strictEqual(result.provenance!.added, 7);
        assert.strictEqual(result.validation!.valid, before.valid, result.validation!.errors.join('; '));
        if (!before.valid) assert.ok(result.validation!.errors.length > 0);
        const finalText = fs.readFileSync(file, 'utf8');
        let i = 0;
        while (finalText[i] === originalText[i]) i++;
        const inserted = finalText.slice(i, i + finalText.length - originalText.length);
        assert.strictEqual(finalText.slice(0, i) + finalText.slice(i + inserted.length), originalText);
        assert.match(inserted, /azure-pipelines:repository:branch">refs\/heads\/feature\/&lt;&amp;&gt;<\/property>/);
        assert.strictEqual((finalText.match(/<property name="azure-pipelines:/g) ?? []).length, 7);
        assert.ok(result.counts!.total > 0);
        assert.strictEqual(result.sha256, sha256(fs.readFileSync(file)));
      });
    } else {
      it(`${name}: ${format.name} published untouched, counted when primary`, async () => {
        const originalBytes = fs.readFileSync(source);
        const file = copy(source);
        const result = await m.processSbom(format, file, { provenance: provenance(), validate: true, count: true, keepContent: false });
        assert.deepStrictEqual(fs.readFileSync(file), originalBytes);
        assert.strictEqual(result.sha256, sha256(originalBytes));
        assert.strictEqual(result.provenance, undefined);
        assert.strictEqual(result.validation, undefined);
        // The counting itself is checked in syftSbomInfo.test.ts.
        if (format.kind === 'spdx-json') assert.deepStrictEqual(result.counts, countSpdxJson(JSON.parse(originalBytes.toString())));
        if (format.kind === 'syft-json') assert.strictEqual(result.counts!.total, JSON.parse(originalBytes.toString()).artifacts.length);
        if (format.kind === 'spdx-tag-value') assert.deepStrictEqual(result.counts, countSpdxTagValue(originalBytes.toString()));
      });
    }
  }

  it('a corrupted CycloneDX XML (schema-invalid, not well-formed) is reported, not passed', async () => {
    const text = fs.readFileSync(golden(GOLDEN.syftDirCycloneDxXml), 'utf8');
    assert.ok((await m.validateCycloneDxXml(text, '1.7')).valid, 'the golden 1.7 document is valid');
    const bogus = await m.validateCycloneDxXml(text.replace('<components><component', '<components><spaceship/><component'), '1.7');
    assert.ok(bogus.checked && !bogus.valid);
    assert.match(bogus.errors[0], /spaceship.*not expected/);
    const broken = await m.validateCycloneDxXml(text.replace('</metadata>', ''), '1.7');
    assert.ok(broken.checked && !broken.valid, 'not well-formed');
    const wrongVersion = await m.validateCycloneDxXml(text, '1.6');
    assert.ok(!wrongVersion.valid, 'a 1.7 document is not valid against the 1.6 schema');
  });

  it('a schema-invalid CycloneDX JSON is reported with the JSON path', async () => {
    const doc = JSON.parse(fs.readFileSync(golden(GOLDEN.syftDirCycloneDxJson), 'utf8'));
    doc.components[1].type = 'spaceship';
    const result = await m.validateCycloneDxJson(doc);
    assert.ok(result.checked && !result.valid);
    assert.ok(result.errors.some((e) => e.startsWith('/components/1/type')), result.errors.join('\n'));
    const unknown = await m.validateCycloneDxJson({ bomFormat: 'CycloneDX', specVersion: '9.9' });
    assert.ok(!unknown.checked);
    assert.match(unknown.note!, /9\.9/);
  });

  it('a CycloneDX output that cannot be checked says why', async () => {
    const spdx = JSON.parse(fs.readFileSync(golden(GOLDEN.syftDirSpdxJson), 'utf8'));
    const cases: [unknown, RegExp][] = [
      [{}, /not CycloneDX JSON \(it has neither bomFormat "CycloneDX" nor a specVersion\)/],
      [spdx, /not CycloneDX JSON/],
      [[], /not CycloneDX JSON/],
      [{ bomFormat: 'CycloneDX', components: [] }, /declares no CycloneDX spec version/],
      [{ bomFormat: 'CycloneDX', specVersion: '1.9' }, /CycloneDX 1\.9 is not a spec version @cyclonedx\/cyclonedx-library knows \(1\.7, 1\.6, .*1\.0\)/],
    ];
    for (const [doc, note] of cases) {
      const result = await m.validateCycloneDxJson(doc);
      assert.ok(!result.checked && !result.valid, JSON.stringify(doc).slice(0, 80));
      assert.match(result.note!, note);
    }
  });

  it('truncated, empty or missing outputs are IncompleteOutputError (a Syft failure), never silently published', async () => {
    const cases: [string, FormatSpec][] = [
      [golden(GOLDEN.syftDirCycloneDxJson), parseFormats('cyclonedx-json')[0]],
      [golden(GOLDEN.syftDirCycloneDxXml), parseFormats('cyclonedx-xml')[0]],
      [golden(GOLDEN.syftDirSpdxJson), parseFormats('spdx-json')[0]],
      [golden(GOLDEN.syftDirSyftJson), parseFormats('syft-json')[0]],
    ];
    for (const [source, format] of cases) {
      const data = fs.readFileSync(source);
      const file = copy(source, data.subarray(0, Math.floor(data.length / 2)));
      for (const count of [true, false]) {
        await assert.rejects(m.processSbom(format, file, { validate: true, count, keepContent: false }), (e: Error) => e.name === 'IncompleteOutputError' && /Syft probably stopped/.test(e.message));
      }
    }
    const empty = copy('empty.cdx.json', '');
    await assert.rejects(m.processSbom(parseFormats('cyclonedx-json')[0], empty, { validate: true, count: true, keepContent: false }), /is empty/);
    await assert.rejects(m.processSbom(parseFormats('spdx-json')[0], path.join(work, 'missing.spdx.json'), { validate: true, count: false, keepContent: false }), /did not write/);
  });

  it('without provenance the CycloneDX file stays byte-for-byte as Syft wrote it', async () => {
    for (const source of [golden(GOLDEN.syftDirCycloneDxJson), golden(GOLDEN.syftDirCycloneDxXml)]) {
      const bytes = fs.readFileSync(source);
      const file = copy(source, bytes);
      const result = await m.processSbom(formatOf(source)!, file, { validate: true, count: true, keepContent: false });
      assert.deepStrictEqual(fs.readFileSync(file), bytes);
      assert.strictEqual(result.sha256, sha256(bytes));
      assert.ok(result.validation!.valid);
    }
  });

  it('an unmodified CycloneDX JSON reports (and keeps) the bytes on disk, even where they are not valid UTF-8', async () => {
    // CycloneDX 1.2: no metadata.properties, so nothing is added. 0xFF decodes to U+FFFD, which
    // re-encodes to other bytes: size, hash and content must come from the file, not from the text.
    const bytes = Buffer.concat([Buffer.from('{"bomFormat":"CycloneDX","specVersion":"1.2","version":1,"components":[{"type":"library","name":"a'), Buffer.from([0xff]), Buffer.from('"}]}\n')]);
    const file = copy('invalid-utf8.cdx.json', bytes);
    const result = await m.processSbom(parseFormats('cyclonedx-json')[0], file, { provenance: provenance(), validate: false, count: true, keepContent: true });
    assert.strictEqual(result.provenance?.added, 0);
    assert.deepStrictEqual(fs.readFileSync(file), bytes);
    assert.strictEqual(result.bytes, bytes.length);
    assert.strictEqual(result.sha256, sha256(bytes));
    assert.deepStrictEqual(Buffer.concat(result.content!), bytes);
  });
});

describe('syft validation: the same code in the tsc output as in the bundle', () => {
  it('validates CycloneDX XML and JSON with the schemas the build writes beside it', async () => {
    assert.ok(fs.existsSync(path.join(validation.SCHEMA_DIRECTORY, 'bom-1.6.SNAPSHOT.xsd')), validation.SCHEMA_DIRECTORY);
    const text = fs.readFileSync(golden(GOLDEN.syftDirCycloneDxJson), 'utf8');
    const json = await validation.validateCycloneDxJson(JSON.parse(text));
    assert.ok(json.checked && json.valid, JSON.stringify(json));
    const xml = await validation.validateCycloneDxXml('<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"/>', '1.6');
    assert.ok(xml.checked && xml.valid, JSON.stringify(xml));
  });
});
