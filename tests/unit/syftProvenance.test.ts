import * as assert from 'assert';
import { addJsonProvenance, addXmlProvenance, Property, provenanceProperties, xmlBomInfo } from '../../tasks/SyftSbom/provenance';
import { countCycloneDxJson, countCycloneDxXml, countSpdxJson, countSpdxTagValue, countSyftJson } from '../../tasks/SyftSbom/sbomInfo';
import { jsonIndent } from '../../tasks/SyftSbom/sbomProcessing';
import { xmlEscape, xmlTags } from '../../tasks/SyftSbom/xmlScan';

const PROPS: Property[] = [
  { name: 'azure-pipelines:pipeline:name', value: 'ci <main> & "release"' },
  { name: 'azure-pipelines:run:id', value: '42' },
];

describe('syft provenance: agent variables → properties (pure)', () => {
  it('names pipeline, run id and URL, repository, branch, commit and agent OS; skips unset ones', () => {
    const props = provenanceProperties({
      BUILD_DEFINITIONNAME: 'my pipeline',
      BUILD_BUILDID: '1234',
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
      SYSTEM_TEAMPROJECT: 'Web Shop',
      BUILD_REPOSITORY_URI: 'https://dev.azure.com/contoso/Web%20Shop/_git/app',
      BUILD_SOURCEBRANCH: 'refs/heads/main',
      BUILD_SOURCEVERSION: 'abc123',
      AGENT_OS: 'Linux',
    });
    assert.deepStrictEqual(props, [
      { name: 'azure-pipelines:pipeline:name', value: 'my pipeline' },
      { name: 'azure-pipelines:run:id', value: '1234' },
      { name: 'azure-pipelines:run:url', value: 'https://dev.azure.com/contoso/Web%20Shop/_build/results?buildId=1234' },
      { name: 'azure-pipelines:repository:url', value: 'https://dev.azure.com/contoso/Web%20Shop/_git/app' },
      { name: 'azure-pipelines:repository:branch', value: 'refs/heads/main' },
      { name: 'azure-pipelines:repository:commit', value: 'abc123' },
      { name: 'azure-pipelines:agent:os', value: 'Linux' },
    ]);
    assert.deepStrictEqual(provenanceProperties({ BUILD_BUILDID: '7', SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://tfs/coll' }), [{ name: 'azure-pipelines:run:id', value: '7' }]);
    assert.deepStrictEqual(provenanceProperties({}), []);
  });
});

describe('syft provenance: CycloneDX JSON (pure)', () => {
  it('appends to existing metadata.properties, keeping every key and its order', () => {
    const doc = { bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { timestamp: 't', properties: [{ name: 'syft:x', value: '1' }], component: { name: 'c' } }, components: [] };
    assert.deepStrictEqual(addJsonProvenance(doc, PROPS), { added: 2 });
    assert.deepStrictEqual(Object.keys(doc.metadata), ['timestamp', 'properties', 'component']);
    assert.deepStrictEqual(doc.metadata.properties, [{ name: 'syft:x', value: '1' }, ...PROPS]);
  });

  it('creates metadata / properties only when missing, at the end', () => {
    const noMeta: Record<string, unknown> = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [] };
    addJsonProvenance(noMeta, PROPS);
    assert.deepStrictEqual(Object.keys(noMeta), ['bomFormat', 'specVersion', 'components', 'metadata']);
    assert.deepStrictEqual(noMeta.metadata, { properties: PROPS });
    const noProps = { bomFormat: 'CycloneDX', specVersion: '1.3', metadata: { timestamp: 't' } };
    addJsonProvenance(noProps, PROPS);
    assert.deepStrictEqual(Object.keys(noProps.metadata), ['timestamp', 'properties']);
  });

  it('skips (with a reason) what it must not touch: 1.2, non-CycloneDX, odd shapes, no variables', () => {
    assert.match(addJsonProvenance({ bomFormat: 'CycloneDX', specVersion: '1.2' }, PROPS).skipped!, /1\.2 has no metadata\.properties/);
    assert.match(addJsonProvenance({ spdxVersion: 'SPDX-2.3' }, PROPS).skipped!, /not a CycloneDX JSON BOM/);
    assert.match(addJsonProvenance({ bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { properties: {} } }, PROPS).skipped!, /not an array/);
    assert.match(addJsonProvenance({ bomFormat: 'CycloneDX', specVersion: '1.5' }, []).skipped!, /no pipeline variables/);
  });

  it('detects the indentation of pretty-printed JSON', () => {
    assert.strictEqual(jsonIndent('{\n  "a": 1\n}'), '  ');
    assert.strictEqual(jsonIndent('{\r\n\t"a": 1\r\n}'), '\t');
    assert.strictEqual(jsonIndent('{"a":1}'), undefined);
  });
});

describe('syft provenance: CycloneDX XML (pure text splice)', () => {
  const ns = 'http://cyclonedx.org/schema/bom/1.6';
  const escaped = '<property name="azure-pipelines:pipeline:name">ci &lt;main&gt; &amp; &quot;release&quot;</property><property name="azure-pipelines:run:id">42</property>';

  it('inserts properties as the last metadata child, with the document indentation', () => {
    const xml = `<?xml version="1.0"?>\n<bom xmlns="${ns}" version="1">\n  <metadata>\n    <timestamp>t</timestamp>\n    <component type="application">\n      <name>a</name>\n      <properties>\n        <property name="x">component property</property>\n      </properties>\n    </component>\n  </metadata>\n  <components/>\n</bom>\n`;
    const out = addXmlProvenance(xml, PROPS);
    assert.strictEqual(out.added, 2);
    assert.strictEqual(
      out.text,
      xml.replace(
        '    </component>\n  </metadata>',
        '    </component>\n    <properties>\n      <property name="azure-pipelines:pipeline:name">ci &lt;main&gt; &amp; &quot;release&quot;</property>\n      <property name="azure-pipelines:run:id">42</property>\n    </properties>\n  </metadata>',
      ),
    );
  });

  it('appends to an existing metadata/properties (not to a component\'s)', () => {
    const xml = `<bom xmlns="${ns}"><metadata><component><properties><property name="c">1</property></properties></component><properties><property name="syft:a">b</property></properties></metadata></bom>`;
    const out = addXmlProvenance(xml, PROPS).text;
    assert.strictEqual(out, xml.replace('<property name="syft:a">b</property></properties>', `<property name="syft:a">b</property>${escaped}</properties>`));
  });

  it('goes before distributionConstraints (1.7) and other-namespace extensions', () => {
    const v17 = `<bom xmlns="http://cyclonedx.org/schema/bom/1.7"><metadata><licenses/><distributionConstraints><tlp>CLEAR</tlp></distributionConstraints></metadata></bom>`;
    assert.strictEqual(addXmlProvenance(v17, PROPS).text, v17.replace('<distributionConstraints>', `<properties>${escaped}</properties><distributionConstraints>`));
    const ext = `<bom xmlns="${ns}" xmlns:x="urn:x"><metadata><timestamp>t</timestamp><x:ext/></metadata></bom>`;
    assert.strictEqual(addXmlProvenance(ext, PROPS).text, ext.replace('<x:ext/>', `<properties>${escaped}</properties><x:ext/>`));
  });

  it('creates metadata as the first child of bom when missing, and expands <metadata/> and <properties/>', () => {
    const none = `<bom xmlns="${ns}">\n  <components/>\n</bom>`;
    assert.strictEqual(
      addXmlProvenance(none, PROPS).text,
      `<bom xmlns="${ns}">\n  <metadata>\n    <properties>\n      ${escaped.replace('</property><property', '</property>\n      <property')}\n    </properties>\n  </metadata>\n  <components/>\n</bom>`,
    );
    assert.strictEqual(addXmlProvenance(`<bom xmlns="${ns}"><metadata/></bom>`, PROPS).text, `<bom xmlns="${ns}"><metadata><properties>${escaped}</properties></metadata></bom>`);
    assert.strictEqual(
      addXmlProvenance(`<bom xmlns="${ns}"><metadata><properties/></metadata></bom>`, PROPS).text,
      `<bom xmlns="${ns}"><metadata><properties>${escaped}</properties></metadata></bom>`,
    );
  });

  it('keeps a namespace prefix, ignores comments/CDATA that look like tags', () => {
    const xml = `<cdx:bom xmlns:cdx="${ns}"><!-- <metadata> --><cdx:metadata><cdx:tools><![CDATA[</cdx:metadata>]]></cdx:tools></cdx:metadata></cdx:bom>`;
    const out = addXmlProvenance(xml, PROPS).text;
    assert.strictEqual(out, xml.replace('</cdx:tools></cdx:metadata>', `</cdx:tools><cdx:properties>${escaped.replace(/<(\/?)property/g, '<$1cdx:property')}</cdx:properties></cdx:metadata>`));
  });

  it('skips 1.0–1.2 and non-CycloneDX XML', () => {
    const v12 = `<bom xmlns="http://cyclonedx.org/schema/bom/1.2"><metadata/></bom>`;
    assert.deepStrictEqual(addXmlProvenance(v12, PROPS), { text: v12, added: 0, skipped: 'CycloneDX 1.2 has no metadata/properties (added in 1.3)' });
    assert.match(addXmlProvenance('<spdx/>', PROPS).skipped!, /not a CycloneDX XML BOM/);
    assert.strictEqual(xmlBomInfo(`<?xml version="1.0"?><!-- c --><bom xmlns='${ns}'/>`).version, '1.6');
  });

  it('escapes values and drops characters XML forbids', () => {
    assert.strictEqual(xmlEscape('a<b>&"c"\u0001'), 'a&lt;b&gt;&amp;&quot;c&quot;');
    const tags = [...xmlTags('<a x="1>2"><b/></a>')].map((t) => `${t.kind}:${t.name}`);
    assert.deepStrictEqual(tags, ['start:a', 'empty:b', 'end:a']);
  });
});

describe('syft component counts (pure)', () => {
  it('CycloneDX JSON counts nested components by type, not metadata/tools', () => {
    const doc = {
      metadata: { component: { type: 'container' }, tools: { components: [{ type: 'application' }] } },
      components: [{ type: 'library', components: [{ type: 'library' }, { type: 'file' }] }, { type: 'operating-system' }, {}],
    };
    assert.deepStrictEqual(countCycloneDxJson(doc), { total: 5, packages: 3, byType: { library: 2, file: 1, 'operating-system': 1, unknown: 1 } });
  });

  it('CycloneDX XML counts bom/components/component recursively, not metadata/tools', () => {
    const xml = `<bom><metadata><tools><components><component type="application"/></components></tools><component type="container"/></metadata>
      <components><component type="library"><name>a</name><components><component type="file"/></components></component><component type='library'/></components></bom>`;
    assert.deepStrictEqual(countCycloneDxXml(xml), { total: 3, packages: 2, byType: { library: 2, file: 1 } });
  });

  it('SPDX and Syft formats', () => {
    assert.deepStrictEqual(countSpdxJson({ packages: [{ primaryPackagePurpose: 'LIBRARY' }, {}] }), { total: 2, packages: 2, byType: { library: 1, package: 1 } });
    assert.deepStrictEqual(countSpdxTagValue('PackageName: a\nPackageVersion: 1\nPackageName: b\n'), { total: 2, packages: 2, byType: { package: 2 } });
    assert.deepStrictEqual(countSyftJson({ artifacts: [{ type: 'npm' }, { type: 'npm' }, { type: 'deb' }] }), { total: 3, packages: 3, byType: { npm: 2, deb: 1 } });
  });
});
