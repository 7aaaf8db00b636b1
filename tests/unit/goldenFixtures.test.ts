// The golden outputs under tests/fixtures/golden are what the pinned grype and syft write for
// realWorld.ts: these checks fail when a pin moves and `npm run fixtures` was not run.
import * as assert from 'assert';
import * as fs from 'fs';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { GOLDEN, golden, GOLDEN_DB_BUILT } from '../harness/golden';
import { goldenDir } from '../harness/paths';

const json = (name: (typeof GOLDEN)[keyof typeof GOLDEN]) => JSON.parse(fs.readFileSync(golden(name), 'utf8'));

describe('golden fixtures: made by the pinned tools', () => {
  it('holds exactly the files the regeneration script writes', () => {
    assert.deepStrictEqual(fs.readdirSync(goldenDir).sort(), Object.values(GOLDEN).sort());
  });

  it(`grype ${PINNED_VERSIONS.grype} wrote the reports, with the golden DB`, () => {
    assert.strictEqual(json(GOLDEN.grypeVersionJson).version, PINNED_VERSIONS.grype);
    for (const name of [GOLDEN.grypeDirJson, GOLDEN.grypeImageJson, GOLDEN.grypeEmptyJson]) {
      const { descriptor } = json(name);
      assert.strictEqual(descriptor.version, PINNED_VERSIONS.grype, name);
      assert.strictEqual(descriptor.db.status.built, GOLDEN_DB_BUILT, name);
    }
    assert.strictEqual(json(GOLDEN.grypeDbStatusJson).built, GOLDEN_DB_BUILT);
    for (const name of [GOLDEN.grypeDirSarif, GOLDEN.grypeImageSarif, GOLDEN.grypeEmptySarif]) {
      assert.strictEqual(json(name).runs[0].tool.driver.version, PINNED_VERSIONS.grype, name);
    }
  });

  it(`syft ${PINNED_VERSIONS.syft} wrote the SBOMs, CycloneDX in its default spec version 1.7 unless asked`, () => {
    assert.match(fs.readFileSync(golden(GOLDEN.syftVersionText), 'utf8'), new RegExp(`^Version:\\s+${PINNED_VERSIONS.syft.replace(/\./g, '\\.')}$`, 'm'));
    assert.strictEqual(json(GOLDEN.syftDirSyftJson).descriptor.version, PINNED_VERSIONS.syft);
    for (const [name, spec] of [[GOLDEN.syftDirCycloneDxJson, '1.7'], [GOLDEN.syftImageCycloneDxJson, '1.7'], [GOLDEN.syftDirCycloneDx15Json, '1.5']] as const) {
      const doc = json(name);
      assert.strictEqual(doc.specVersion, spec, name);
      assert.ok(doc.metadata.tools.components.some((c: { name: string; version: string }) => c.name === 'syft' && c.version === PINNED_VERSIONS.syft), name);
    }
    assert.match(fs.readFileSync(golden(GOLDEN.syftDirCycloneDxXml), 'utf8'), /<bom xmlns="http:\/\/cyclonedx\.org\/schema\/bom\/1\.7"/);
  });
});
