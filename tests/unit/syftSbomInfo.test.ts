import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { countSpdxJson, countSpdxTagValue, spdxJsonVersion } from '../../tasks/SyftSbom/sbomInfo';
import { GOLDEN, golden, SYFT_DIR_PACKAGES } from '../harness/golden';
import { describeSharedFixtures } from '../harness/paths';

const readGolden = (name: (typeof GOLDEN)[keyof typeof GOLDEN]) => fs.readFileSync(golden(name), 'utf8');

/**
 * The expected count worked out from the relationships rather than from identifiers: Syft's
 * document root is the package SPDXRef-DOCUMENT DESCRIBES that itself CONTAINS packages.
 */
function spdxJsonPackagesWithoutRoot(doc: { packages: { SPDXID: string }[]; relationships?: { spdxElementId: string; relatedSpdxElement: string; relationshipType: string }[] }): number {
  const rels = doc.relationships ?? [];
  const described = new Set(rels.filter((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES').map((r) => r.relatedSpdxElement));
  const roots = [...described].filter((id) => rels.some((r) => r.spdxElementId === id && r.relationshipType === 'CONTAINS'));
  return doc.packages.filter((p) => !roots.includes(p.SPDXID)).length;
}

describe('syft component counts (pure)', () => {
  it("SPDX 2.x JSON leaves out Syft's document root: the packages of the npm project, as in the Syft JSON of the same scan", () => {
    const doc = JSON.parse(readGolden(GOLDEN.syftDirSpdxJson));
    assert.ok(readGolden(GOLDEN.syftDirSpdxJson).includes('SPDXRef-DocumentRoot-'), 'a dir scan has a document root');
    const spdx = countSpdxJson(doc);
    assert.strictEqual(spdx.total, SYFT_DIR_PACKAGES);
    assert.strictEqual(spdx.total, spdxJsonPackagesWithoutRoot(doc));
    assert.strictEqual((JSON.parse(readGolden(GOLDEN.syftDirSyftJson)) as { artifacts: unknown[] }).artifacts.length, SYFT_DIR_PACKAGES);
    assert.strictEqual(spdx.byType.file, undefined, 'the root (purpose FILE) is not a type');
  });

  it('SPDX tag-value leaves out the document root (golden, LF and CRLF)', () => {
    assert.strictEqual(countSpdxTagValue(readGolden(GOLDEN.syftDirSpdxTagValue)).total, SYFT_DIR_PACKAGES);
    assert.strictEqual(countSpdxTagValue(readGolden(GOLDEN.syftDirSpdxTagValue).replace(/\n/g, '\r\n')).total, SYFT_DIR_PACKAGES, 'CRLF');
    // Without a document root (older Syft, other tools) every package counts; the last one has no SPDXID.
    const noRoot = ['SPDXVersion: SPDX-2.2', 'SPDXID: SPDXRef-DOCUMENT', 'PackageName: a', 'SPDXID: SPDXRef-Package-a', 'PackageName: b', 'SPDXID: SPDXRef-Package-b', 'PackageName: c'].join('\n');
    assert.strictEqual(countSpdxTagValue(noRoot).total, 3);
  });

  it('SPDX 3.0 JSON-LD: software_Package elements of @graph, without the document root', () => {
    // Shaped like Syft's spdx-json@3.0 output (TestSPDX3JSONImageEncoder golden).
    const doc = {
      '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
      '@graph': [
        { type: 'Tool', spdxId: 'SPDXRef:Tool-1', name: 'syft' },
        { '@id': '_:CreationInfo-1', type: 'CreationInfo', specVersion: '3.0.1' },
        { type: 'software_Package', spdxId: 'SPDXRef:DocumentRoot-Image-user-image-input', name: 'user-image-input', software_primaryPurpose: 'container' },
        { type: 'software_Package', spdxId: 'SPDXRef:Package-python-package-1-2f52f617f1548337', name: 'package-1' },
        { type: 'software_Package', spdxId: 'SPDXRef:Package-deb-package-2-4b756c6f6fb127a3', name: 'package-2', software_primaryPurpose: 'library' },
        { type: 'software_File', spdxId: 'SPDXRef:File-1', name: '/somefile-1.txt' },
        { type: 'Relationship', spdxId: 'SPDXRef:Relationship-1', from: 'SPDXRef:DocumentRoot-Image-user-image-input', relationshipType: 'contains', to: ['SPDXRef:Package-python-package-1-2f52f617f1548337'] },
        { type: 'software_Sbom', spdxId: 'SPDXRef:SBOM-1', rootElement: ['SPDXRef:DocumentRoot-Image-user-image-input'] },
      ],
    };
    assert.deepStrictEqual(countSpdxJson(doc), { total: 2, packages: 2, byType: { package: 1, library: 1 } });
    assert.strictEqual(spdxJsonVersion(doc), 'SPDX-3.0.1');
    assert.strictEqual(spdxJsonVersion(JSON.parse(readGolden(GOLDEN.syftDirSpdxJson))), 'SPDX-2.3');
  });
});

describeSharedFixtures('syft component counts (pure)', (shared) => {
  const syftFixtures = path.join(shared, 'syft');
  const read = (name: string) => fs.readFileSync(path.join(syftFixtures, name), 'utf8');

  it('SPDX 2.x JSON leaves out Syft\'s document root: same count as the Syft JSON of the same scan', () => {
    const spdx = countSpdxJson(JSON.parse(read('syft-1.28.0-java-dir.spdx.json')));
    const syftJson = JSON.parse(read('syft-1.28.0-java-dir.syft.json')) as { artifacts: unknown[] };
    assert.strictEqual(syftJson.artifacts.length, 9);
    assert.strictEqual(spdx.total, 9);
    assert.strictEqual(spdx.byType.file, undefined, 'the root (purpose FILE) is not a type');
  });

  const spdxJson = fs.readdirSync(syftFixtures).filter((f) => f.endsWith('.spdx.json'));
  it('finds SPDX JSON fixtures with and without a document root', () => {
    const withRoot = spdxJson.filter((f) => read(f).includes('SPDXRef-DocumentRoot-'));
    assert.ok(withRoot.length >= 3 && withRoot.length < spdxJson.length, spdxJson.join(', '));
  });
  for (const name of spdxJson) {
    it(`${name}: every package except the document root`, () => {
      const doc = JSON.parse(read(name));
      assert.strictEqual(countSpdxJson(doc).total, spdxJsonPackagesWithoutRoot(doc));
    });
  }

  it('SPDX tag-value leaves out the document root', () => {
    // snapshot: the scanned folder some/path CONTAINS package-1 and package-2
    assert.strictEqual(countSpdxTagValue(read('snapshot-syft-head-spdx-dir.spdx')).total, 2);
    assert.strictEqual(countSpdxTagValue(read('snapshot-syft-head-spdx-image.spdx')).total, 2);
    // go.mod (the root) CONTAINS one go module
    assert.strictEqual(countSpdxTagValue(read('syft-testdata-identify-2.3.spdx')).total, 1);
    // no document root: all four packages
    assert.strictEqual(countSpdxTagValue(read('syft-testdata-tag-value.spdx')).total, 4);
    assert.strictEqual(countSpdxTagValue(read('snapshot-syft-head-spdx-dir.spdx').replace(/\n/g, '\r\n')).total, 2, 'CRLF');
  });
});
