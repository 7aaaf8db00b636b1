// Static checks of the extension manifest and of every tasks/*/task.json, read at run time so they
// hold for whatever inputs the task engineers add.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { repoRoot, sharedSchemasDir } from '../harness/paths';
import { visibleRuleInputs } from '../harness/taskJson';

/**
 * The task.json and vss-extension.json schemas sit in ../shared/schemas (CI here), which a clone
 * does not have: validating against them is an extra check. Without them, tfx's own checks stand
 * in: its task.json validation (what `tfx build tasks upload` runs) here, and `tfx extension
 * create`, which reads vss-extension.json, in `npm run package`.
 */
const schemaDir = sharedSchemasDir();
// tfx-cli ships no typings for its task.json validator.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tfxTaskCheck: { validateTask(taskJsonPath: string, task: unknown): string[] } = require('tfx-cli/_build/lib/jsonvalidate');

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Task folders: tasks/<Task>/task.json (tasks/common has none). */
const taskNames = fs
  .readdirSync(path.join(repoRoot, 'tasks'))
  .filter((d) => fs.existsSync(path.join(repoRoot, 'tasks', d, 'task.json')))
  .sort();

interface TaskInput {
  name: string;
  type: string;
  groupName?: string;
  visibleRule?: string;
  defaultValue?: string | boolean;
  aliases?: string[];
}
interface TaskJson {
  id: string;
  name: string;
  friendlyName: string;
  version: { Major: number; Minor: number; Patch: number };
  minimumAgentVersion?: string;
  instanceNameFormat: string;
  inputs?: TaskInput[];
  groups?: { name: string; visibleRule?: string }[];
  messages?: Record<string, string>;
  outputVariables?: { name: string; description?: string }[];
  execution?: Record<string, { target: string }>;
  prejobexecution?: Record<string, { target: string }>;
  postjobexecution?: Record<string, { target: string }>;
  restrictions?: { commands?: { mode?: string } };
}
const tasks: Record<string, TaskJson> = Object.fromEntries(taskNames.map((t) => [t, readJson(path.join(repoRoot, 'tasks', t, 'task.json'))]));

const ajvErrors = (errors: unknown) => JSON.stringify(errors, null, 2);

/** PNG width/height from the IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  assert.ok(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is not a PNG`);
  assert.equal(b.toString('latin1', 12, 16), 'IHDR', `${file}: first chunk is not IHDR`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** .ts files a task's entry point reaches through relative imports (its own and tasks/common). */
function reachableSources(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !fs.existsSync(file)) return;
    seen.add(file);
    const src = fs.readFileSync(file, 'utf8');
    const re = /(?:from\s+|require\(\s*|import\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
    for (let m; (m = re.exec(src)); ) {
      const base = path.resolve(path.dirname(file), m[1]);
      for (const cand of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
        if (cand.endsWith('.ts') && fs.existsSync(cand) && fs.statSync(cand).isFile()) {
          visit(cand);
          break;
        }
      }
    }
  };
  visit(entry);
  return [...seen];
}

/** Output variables from SPEC §3/§4 (enforced once the task has real inputs, i.e. is no longer the skeleton). */
const SPEC_OUTPUTS: Record<string, string[]> = {
  GrypeScan: ['criticalCount', 'highCount', 'mediumCount', 'lowCount', 'negligibleCount', 'unknownCount', 'totalCount', 'fixableCount', 'maxSeverity', 'jsonReport', 'sarifReport', 'grypeVersion'],
  SyftSbom: ['sbomFiles', 'primarySbom', 'componentCount', 'sbomSha256', 'syftVersion'],
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function semverAtLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

describe('manifest: task.json files', () => {
  it('finds the task folders', () => {
    assert.deepEqual(taskNames, ['GrypeScan', 'SyftSbom']);
  });

  const taskSchemaFile = schemaDir && path.join(schemaDir, 'task.schema.json');
  let validateTask: ReturnType<AjvDraft04['compile']>;
  before(function () {
    if (!taskSchemaFile) return;
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    validateTask = ajv.compile(readJson(taskSchemaFile));
  });

  for (const t of taskNames) {
    describe(t, () => {
      const tj = () => tasks[t];

      if (taskSchemaFile) {
        it('validates against task.schema.json (draft-04, shared schemas)', () => {
          const ok = validateTask(tj());
          assert.ok(ok, `tasks/${t}/task.json does not match task.schema.json:\n${ajvErrors(validateTask.errors)}`);
        });
      }

      it("passes tfx's task.json checks, as laid out in the extension (id, name, friendlyName, instanceNameFormat, execution targets)", () => {
        const laidOut = path.join(repoRoot, 'dist', 'extension', 'tasks', t, 'task.json');
        assert.ok(fs.existsSync(laidOut), `${laidOut} not found: run npm run build first`);
        assert.deepEqual(tfxTaskCheck.validateTask(laidOut, readJson(laidOut)), []);
        assert.deepEqual(readJson(laidOut), tj(), 'the extension carries task.json as written');
      });
      it("tfx's task.json checks are not vacuous", () => {
        const broken = { ...tj(), friendlyName: 'x'.repeat(41), execution: { Node20_1: { target: 'missing.js' } } };
        const issues = tfxTaskCheck.validateTask(path.join(repoRoot, 'tasks', t, 'task.json'), broken);
        assert.ok(issues.some((i) => /friendlyName/.test(i)) && issues.some((i) => /missing\.js/.test(i)), issues.join('\n'));
      });

      it('name matches its folder; friendlyName ≤ 40 chars; instanceNameFormat set', () => {
        assert.equal(tj().name, t);
        assert.ok(tj().friendlyName.length <= 40, `friendlyName "${tj().friendlyName}" is longer than 40 characters (tfx rejects it)`);
        assert.ok(tj().instanceNameFormat?.trim(), 'instanceNameFormat is empty');
      });

      it('runs on Node24 where the agent has it and on Node20_1 otherwise, every handler targeting index.js', () => {
        // The agent picks the newest handler it supports: Node24 from agent 4.265.1, Node20_1 before.
        assert.equal(tj().execution?.Node24?.target, 'index.js', 'execution.Node24.target must be index.js (the bundle)');
        assert.equal(tj().execution?.Node20_1?.target, 'index.js', 'execution.Node20_1.target must be index.js (the bundle)');
        for (const section of ['execution', 'prejobexecution', 'postjobexecution'] as const) {
          for (const [handler, def] of Object.entries(tj()[section] ?? {})) {
            assert.ok(!/^Node(6|10|16)?$/.test(handler), `${section}.${handler}: end-of-life Node handler`);
            if (handler.startsWith('Node')) assert.equal(def.target, 'index.js', `${section}.${handler}.target`);
          }
        }
      });

      it('minimumAgentVersion is at least 3.253.0 (Node 20.18 for @cyclonedx/cyclonedx-library)', () => {
        assert.ok(tj().minimumAgentVersion, 'minimumAgentVersion missing');
        assert.ok(semverAtLeast(tj().minimumAgentVersion!, '3.253.0'), `minimumAgentVersion ${tj().minimumAgentVersion} < 3.253.0`);
      });

      it('does not use restricted command mode (it would block artifact.upload / uploadsummary)', () => {
        assert.notEqual(tj().restrictions?.commands?.mode, 'restricted');
      });

      it('input names (and aliases) are unique, case-insensitively', () => {
        const names = (tj().inputs ?? []).flatMap((i) => [i.name, ...(i.aliases ?? [])]).map((n) => n.toLowerCase());
        assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
      });

      it('every input referenced by a visibleRule exists', () => {
        const names = new Set((tj().inputs ?? []).map((i) => i.name));
        const rules = [
          ...(tj().inputs ?? []).filter((i) => i.visibleRule).map((i) => [`input ${i.name}`, i.visibleRule!]),
          ...(tj().groups ?? []).filter((g) => g.visibleRule).map((g) => [`group ${g.name}`, g.visibleRule!]),
        ];
        for (const [where, rule] of rules) {
          for (const ref of visibleRuleInputs(rule)) {
            assert.ok(names.has(ref), `${where}: visibleRule "${rule}" references unknown input "${ref}"`);
          }
        }
      });

      it('every groupName exists in groups', () => {
        const groups = new Set((tj().groups ?? []).map((g) => g.name));
        for (const i of tj().inputs ?? []) {
          if (i.groupName) assert.ok(groups.has(i.groupName), `input ${i.name}: groupName "${i.groupName}" is not in groups[]`);
        }
      });

      it('outputVariables have unique, valid names', () => {
        const names = (tj().outputVariables ?? []).map((o) => o.name);
        for (const n of names) assert.match(n, /^[A-Za-z][A-Za-z0-9_]*$/);
        assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
      });

      it('outputVariables declare every output variable of the SPEC', function () {
        if ((tj().inputs ?? []).length === 0) {
          this.skip(); // still the skeleton task.json: nothing to check yet
        }
        const declared = new Set((tj().outputVariables ?? []).map((o) => o.name));
        const missing = SPEC_OUTPUTS[t].filter((n) => !declared.has(n));
        assert.deepEqual(missing, [], `tasks/${t}/task.json outputVariables lacks SPEC variables`);
      });

      it('every literal setVariable(..., isOutput=true) in the sources is declared', () => {
        const declared = new Set((tj().outputVariables ?? []).map((o) => o.name));
        const undeclared: string[] = [];
        for (const file of reachableSources(path.join(repoRoot, 'tasks', t, 'index.ts'))) {
          const src = fs.readFileSync(file, 'utf8');
          const re = /setVariable\(\s*(['"])([A-Za-z0-9_]+)\1\s*,[^;]*?,\s*(?:true|false)\s*,\s*true\s*\)/g;
          for (let m; (m = re.exec(src)); ) if (!declared.has(m[2])) undeclared.push(`${path.relative(repoRoot, file)}: ${m[2]}`);
        }
        assert.deepEqual(undeclared, []);
      });

      it('has a 128×128 PNG icon', () => {
        const icon = path.join(repoRoot, 'tasks', t, 'icon.png');
        assert.ok(fs.existsSync(icon), `${icon} missing`);
        assert.deepEqual(pngSize(icon), { width: 128, height: 128 });
      });
    });
  }

  it('task ids are unique GUIDs', () => {
    const ids = taskNames.map((t) => tasks[t].id);
    for (const id of ids) assert.match(id, GUID);
    assert.equal(new Set(ids.map((i) => i.toLowerCase())).size, ids.length, `duplicate task ids: ${ids.join(', ')}`);
  });
});

describe('manifest: vss-extension.json', () => {
  const manifest = readJson(path.join(repoRoot, 'vss-extension.json'));

  if (schemaDir) it('validates against vss-extension.schema.json (shared schemas)', () => {
    const schemaFile = path.join(schemaDir, 'vss-extension.schema.json');
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(readJson(schemaFile));
    assert.ok(validate(manifest), `vss-extension.json does not match the schema:\n${ajvErrors(validate.errors)}`);
  });

  it('has the fields the Marketplace requires, no scopes, and a description tfx accepts', () => {
    assert.equal(manifest.manifestVersion, 1);
    assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(manifest.categories, ['Azure Pipelines']);
    assert.deepEqual(manifest.targets, [{ id: 'Microsoft.VisualStudio.Services' }]);
    assert.deepEqual(manifest.scopes, []);
    assert.ok(manifest.description.length < 200, 'tfx rejects descriptions of 200 characters or more');
  });

  it('contributes exactly one task per tasks/<Task> folder, each shipped through files[]', () => {
    const contributions = manifest.contributions.filter((c: { type: string }) => c.type === 'ms.vss-distributed-task.task');
    const named = contributions.map((c: { properties: { name: string } }) => c.properties.name).sort();
    assert.deepEqual(named, taskNames.map((t) => `tasks/${t}`));
    for (const c of contributions) assert.deepEqual(c.targets, ['ms.vss-distributed-task.tasks']);
    const files = manifest.files.map((f: { path: string }) => f.path.replace(/\/$/, ''));
    // tfx silently leaves out a contribution folder missing from files[]
    for (const n of named) assert.ok(files.includes(n), `files[] lacks ${n}: tfx would omit the task without an error`);
    const ids = manifest.contributions.map((c: { id: string }) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate contribution ids');
  });

  it('contributes the dependencytrack service connection type that SyftSbom reads: token scheme (apitoken), optional frontendUrl', () => {
    const endpoint = manifest.contributions.find((c: { type: string }) => c.type === 'ms.vss-endpoint.service-endpoint-type');
    assert.ok(endpoint, 'no service endpoint type');
    assert.deepEqual(endpoint.targets, ['ms.vss-endpoint.endpoint-types']);
    assert.equal(endpoint.properties.name, 'dependencytrack');
    const schemes = endpoint.properties.authenticationSchemes;
    assert.deepEqual(schemes.map((a: { type: string }) => a.type), ['ms.vss-endpoint.endpoint-auth-scheme-token']);
    const key = schemes[0].inputDescriptors.find((i: { id: string }) => i.id === 'apitoken');
    assert.ok(key && key.isConfidential === true && key.validation.isRequired === true, 'apitoken is a required confidential field');
    const frontend = endpoint.properties.inputDescriptors.find((i: { id: string }) => i.id === 'frontendUrl');
    assert.ok(frontend && frontend.validation.isRequired === false, 'frontendUrl is optional');
    const syft = readJson(path.join(repoRoot, 'tasks', 'SyftSbom', 'task.json'));
    const input = syft.inputs.find((i: { name: string }) => i.name === 'dependencyTrackServiceConnection');
    assert.equal(input.type, `connectedService:${endpoint.properties.name}`, 'the task input picks connections of this type');
    const source = fs.readFileSync(path.join(repoRoot, 'tasks', 'SyftSbom', 'inputs.ts'), 'utf8');
    assert.match(source, /authParameter\(id, 'apitoken'\)/, 'the task reads the field the scheme defines');
    assert.match(source, /getEndpointDataParameter\(id, 'frontendUrl', true\)/);
  });

  it('has no results tab (summary via uploadSummary works on Azure DevOps Server too)', () => {
    const types = manifest.contributions.map((c: { type: string }) => c.type);
    assert.ok(!types.includes('ms.vss-build-web.build-results-tab'));
  });

  it('references an existing overview, license and a 128×128 PNG icon', () => {
    assert.ok(fs.existsSync(path.join(repoRoot, manifest.content.details.path)), 'content.details missing');
    if (manifest.content.license) assert.ok(fs.existsSync(path.join(repoRoot, manifest.content.license.path)), 'content.license missing');
    assert.deepEqual(pngSize(path.join(repoRoot, manifest.icons.default)), { width: 128, height: 128 });
    for (const f of manifest.files) assert.ok(fs.existsSync(path.join(repoRoot, f.path)), `files[] entry ${f.path} does not exist in the source tree`);
  });
});

describe('manifest: visibleRule parser', () => {
  it('extracts the referenced inputs', () => {
    assert.deepEqual(visibleRuleInputs('a = b && c != "" || dEf NotEndsWith x'), ['a', 'c', 'dEf']);
    assert.deepEqual(visibleRuleInputs('artifactName != none'), ['artifactName']);
    assert.throws(() => visibleRuleInputs('= x'));
  });
});

describe('test sources', () => {
  it('find the repository root and shared/ through tests/harness/paths.ts only', () => {
    const own: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.ts') && file !== path.join(repoRoot, 'tests', 'harness', 'paths.ts')) {
          if (/path\.resolve\(__dirname, '\.\.', '\.\.', '\.\.'|'\.\.', 'shared'/.test(fs.readFileSync(file, 'utf8'))) own.push(path.relative(repoRoot, file));
        }
      }
    };
    walk(path.join(repoRoot, 'tests'));
    assert.deepEqual(own, []);
  });
});
