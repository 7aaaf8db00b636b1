// A multi-line registry password (issue 14, item 8): Google Artifact Registry's `_json_key` login
// uses the whole service-account JSON key file as the password.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFakeTool } from '../harness/fakeTool';
import { runTask, TaskName } from '../harness/vsix';

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----\\n';
const JSON_KEY = JSON.stringify(
  { type: 'service_account', project_id: 'contoso-ci', private_key_id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4', private_key: PRIVATE_KEY, client_email: 'ci@contoso-ci.iam.gserviceaccount.com' },
  null,
  2,
).replace(/\\\\n/g, '\\n');

describe('black-box: a multi-line registry password (GAR _json_key)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-key-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const task of ['GrypeScan', 'SyftSbom'] as TaskName[]) {
    it(`${task}: reaches the tool unchanged through ${task === 'GrypeScan' ? 'GRYPE' : 'SYFT'}_REGISTRY_AUTH_PASSWORD; every line is masked`, async () => {
      const record = path.join(dir, `${task}.jsonl`);
      const report = path.join(dir, 'report.json');
      fs.writeFileSync(report, JSON.stringify({ matches: [], source: { type: 'image', target: {} }, descriptor: { name: 'grype', version: '0.117.0', db: { status: { built: '2026-01-01T00:00:00Z', valid: true } } } }));
      fs.writeFileSync(path.join(dir, 'bom.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] }));
      const tool = writeFakeTool(fs.mkdtempSync(path.join(dir, 'bin-')), task === 'GrypeScan' ? 'grype' : 'syft', {
        recordFile: record,
        outputs: task === 'GrypeScan' ? { json: report } : { 'cyclonedx-json': path.join(dir, 'bom.json') },
        subcommands: { 'db update': { stdout: 'updated' }, version: { stdout: 'Version: 1.0.0' } },
      });
      const r = await runTask(task, {
        inputs: { binaryPath: tool, target: 'registry:europe-docker.pkg.dev/contoso-ci/app/web:1.0', containerRegistry: 'gar' },
        endpoints: { gar: { url: 'https://europe-docker.pkg.dev', scheme: 'UsernamePassword', parameters: { username: '_json_key', password: JSON_KEY, registry: 'https://europe-docker.pkg.dev' } } },
      });
      const log = r.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n');
      assert.equal(r.agentResult, 'Succeeded', log);
      const calls = fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });
      const scan = calls.find((c) => c.argv.includes('registry:europe-docker.pkg.dev/contoso-ci/app/web:1.0') || c.argv[1] === 'registry:europe-docker.pkg.dev/contoso-ci/app/web:1.0')!;
      const prefix = task === 'GrypeScan' ? 'GRYPE' : 'SYFT';
      assert.equal(scan.env[`${prefix}_REGISTRY_AUTH_PASSWORD`], JSON_KEY);
      assert.equal(scan.env[`${prefix}_REGISTRY_AUTH_USERNAME`], '_json_key');
      // Each line with content is registered with the agent (it masks them wherever they appear).
      const secrets = new Set(r.commands.filter((c) => c.command === 'task.setsecret').map((c) => c.message));
      for (const line of JSON_KEY.split('\n').map((l) => l.trim()).filter((l) => /[a-z0-9]/i.test(l))) assert.ok(secrets.has(line), `not registered: ${line}`);
      assert.ok(!secrets.has('{') && !secrets.has('}'), 'braces are not secrets');
      for (const line of r.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]'))) assert.ok(!line.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'), line);
    });
  }
});
