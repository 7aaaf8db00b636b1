// L0 tests of SyftSbom with task-lib's MockTestRunner (offline: nodePath = this Node, ADO-NOTES 1).
import * as assert from 'assert';
import type { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { completion, runL0 as runTaskL0 } from './l0Harness';

const runL0 = (scenario: string) => runTaskL0('SyftSbom', scenario);

describe('SyftSbom L0 (MockTestRunner)', function () {
  this.timeout(30_000);

  it('happy path: one syft run, provenance, validation, artifact, variables', async () => {
    const tr = await runL0('syftL0HappyPath');
    assert.ok(tr.succeeded, tr.stdout);
    assert.match(completion(tr), /^Succeeded: Generated 2 SBOM file\(s\) with 46 component\(s\)\./);
    assert.match(tr.stdout, /\[command\]\/mock\/bin\/syft scan dir:\S+ -o cyclonedx-json@1\.4=\S+dir-s-l0\.cdx\.json -o spdx-json=\S+dir-s-l0\.spdx\.json\n/);
    assert.ok(tr.stdOutContained('dir-s-l0.cdx.json: added 2 pipeline provenance properties to metadata.properties.'));
    assert.ok(tr.stdOutContained('dir-s-l0.cdx.json: valid CycloneDX 1.4'));
    assert.match(tr.stdout, /##vso\[task\.setvariable variable=componentCount;isOutput=true;issecret=false;\]46/);
    assert.match(tr.stdout, /##vso\[task\.setvariable variable=syftVersion;isOutput=true;issecret=false;\]1\.42\.3/);
    assert.strictEqual((tr.stdout.match(/##vso\[artifact\.upload containerfolder=sbom;artifactname=sbom;\]/g) ?? []).length, 2);
    assert.ok(tr.stdout.indexOf('##vso[artifact.upload') < tr.stdout.indexOf('##vso[task.complete'));
  });

  it('Syft exits non-zero: Failed with its last stderr lines', async () => {
    const tr = await runL0('syftL0SyftFails');
    assert.ok(tr.failed);
    assert.match(tr.stdout, /Syft failed \(it exited with code 1\) while generating the SBOM for nope:1/);
    assert.ok(tr.stdOutContained('unauthorized'));
  });

  it('a bad fmt@version fails before Syft runs', async () => {
    const tr = await runL0('syftL0BadFormat');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: outputFormats: 'cyclonedx-json@0\.9' has an unsupported version '0\.9'/);
    assert.ok(!tr.stdOutContained('[command]'));
  });
});
