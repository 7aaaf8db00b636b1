// L0 tests of SyftSbom with task-lib's MockTestRunner (offline: nodePath = this Node, ADO-NOTES 1).
import * as assert from 'assert';
import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const taskJson = path.join(repoRoot, 'tasks', 'SyftSbom', 'task.json');

async function runL0(scenario: string): Promise<MockTestRunner> {
  const tr = new MockTestRunner(path.join(__dirname, `${scenario}.js`), taskJson);
  tr.nodePath = process.execPath;
  await tr.runAsync();
  if (!tr.stdout) throw new Error(`${scenario}: no stdout (spawn failure or output over 1 MiB)\n${tr.stderr}`);
  return tr;
}

function completion(tr: MockTestRunner): string {
  const m = /##vso\[task\.complete result=(\w+);\](.*)/.exec(tr.stdout);
  assert.ok(m, `no task.complete in:\n${tr.stdout}`);
  return `${m[1]}: ${m[2]}`;
}

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
    assert.match(tr.stdout, /Syft failed with exit code 1 while generating the SBOM for nope:1/);
    assert.ok(tr.stdOutContained('unauthorized'));
  });

  it('a bad fmt@version fails before Syft runs', async () => {
    const tr = await runL0('syftL0BadFormat');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: outputFormats: 'cyclonedx-json@0\.9' has an unsupported version '0\.9'/);
    assert.ok(!tr.stdOutContained('[command]'));
  });
});
