// L0 tests of SyftSbom with task-lib's MockTestRunner (offline: nodePath = this Node, ADO-NOTES 1).
import * as assert from 'assert';
import * as fs from 'fs';
import type { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { SYFT_DIR_PACKAGES } from '../harness/golden';
import { completion, runL0 as runTaskL0 } from './l0Harness';

const runL0 = (scenario: string) => runTaskL0('SyftSbom', scenario);

describe('SyftSbom L0 (MockTestRunner)', function () {
  this.timeout(30_000);

  it('happy path: one syft run, provenance, validation, artifact, variables', async () => {
    const tr = await runL0('syftL0HappyPath');
    assert.ok(tr.succeeded, tr.stdout);
    // componentCount counts the packages: not the file component CycloneDX adds for the lock file.
    assert.match(completion(tr), new RegExp(`^Succeeded: Generated 2 SBOM file\\(s\\) with ${SYFT_DIR_PACKAGES} package\\(s\\)\\.`));
    assert.match(tr.stdout, /\[command\]\/mock\/bin\/syft scan dir:\S+ -o cyclonedx-json@1\.5=\S+dir-s-l0-[0-9a-f]{8}\.cdx\.json -o spdx-json=\S+dir-s-l0-[0-9a-f]{8}\.spdx\.json\n/);
    assert.match(tr.stdout, /dir-s-l0-[0-9a-f]{8}\.cdx\.json: added 2 pipeline provenance properties to metadata\.properties\./);
    assert.match(tr.stdout, /dir-s-l0-[0-9a-f]{8}\.cdx\.json: valid CycloneDX 1\.5/);
    assert.match(tr.stdout, new RegExp(`##vso\\[task\\.setvariable variable=componentCount;isOutput=true;issecret=false;\\]${SYFT_DIR_PACKAGES}\n`));
    assert.ok(tr.stdOutContained(`##vso[task.setvariable variable=syftVersion;isOutput=true;issecret=false;]${PINNED_VERSIONS.syft}`));
    assert.strictEqual((tr.stdout.match(/##vso\[artifact\.upload containerfolder=sbom;artifactname=sbom;\]/g) ?? []).length, 2);
    assert.ok(tr.stdout.indexOf('##vso[artifact.upload') < tr.stdout.indexOf('##vso[task.complete'));
  });

  it('a text format first: componentCount and the summary count the first real SBOM', async () => {
    const tr = await runL0('syftL0TextFirst');
    assert.ok(tr.succeeded, tr.stdout);
    const expected = SYFT_DIR_PACKAGES;
    assert.match(tr.stdout, new RegExp(`##vso\\[task\\.setvariable variable=componentCount;isOutput=true;issecret=false;\\]${expected}\n`));
    assert.match(tr.stdout, /##vso\[task\.setvariable variable=primarySbom;isOutput=true;issecret=false;\]\S+\.txt\n/, 'the first format stays the primary SBOM');
    assert.match(completion(tr), new RegExp(`^Succeeded: Generated 2 SBOM file\\(s\\) with ${expected} package\\(s\\)`));
    const summaryFile = /##vso\[task\.uploadsummary\](.*)/.exec(tr.stdout)![1];
    const summary = fs.readFileSync(summaryFile, 'utf8');
    assert.match(summary, /## Components \(\S+\.cdx\.json\)/);
    assert.ok(summary.includes(`**${expected}** package(s) in `), summary);
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

  /**
   * The key is registered with setsecret before the task reads any other input or writes anything
   * (only task-lib's own load-time debug lines come earlier), and appears nowhere else.
   */
  function assertKeyMaskedFirst(tr: MockTestRunner, key: string): void {
    const lines = tr.stdout.split('\n');
    const setSecretAt = lines.indexOf(`##vso[task.setsecret]${key}`);
    assert.ok(setSecretAt >= 0, `the key is registered as a secret\n${tr.stdout}`);
    const firstInputRead = lines.findIndex((l) => l.startsWith('##vso[task.debug]target='));
    assert.ok(firstInputRead > setSecretAt, `the key is masked before the first getInput\n${tr.stdout}`);
    assert.ok(lines.slice(0, setSecretAt).every((l) => l.startsWith('##vso[task.debug]')), `only task-lib debug lines come before the setsecret command\n${tr.stdout}`);
    // tl.getInput (the documented way to read an input) writes its own debug line with the
    // value; the docs ask for a secret variable, which the agent masks there. Nothing else has it.
    assert.deepStrictEqual(
      lines.filter((l) => l.includes(key)).map((l) => l.replace(/^(##vso\[task\.debug\]dependencyTrackApiKey=).*$/, '$1…')),
      ['##vso[task.debug]dependencyTrackApiKey=…', `##vso[task.setsecret]${key}`],
      'the key appears only in task-lib\'s getInput debug line and the setsecret command',
    );
  }

  it('a Dependency-Track key without a URL is still masked first (no upload)', async () => {
    const tr = await runL0('syftL0DtKeyNoUrl');
    assert.ok(tr.succeeded, tr.stdout);
    assertKeyMaskedFirst(tr, 'odt_L0_SECRET_no_url');
    assert.ok(!tr.stdOutContained('Uploading'));
  });

  it('Dependency-Track settings that fail their checks: the key was masked before', async () => {
    const tr = await runL0('syftL0DtKeyBadSettings');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: Dependency-Track takes CycloneDX, but outputFormats \(spdx-json\) has none/);
    assertKeyMaskedFirst(tr, 'odt_L0_SECRET_bad');
    assert.ok(!tr.stdOutContained('[command]'));
  });
});
