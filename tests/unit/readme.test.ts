import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { repoRoot } from '../harness/paths';

// scripts/docs.mjs is an ES module; TypeScript's CommonJS output would turn import() into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ renderReadme(text: string): string }>;

describe('README', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

  it('documents every input and output variable exactly as the task.json files declare them (npm run docs)', async () => {
    const docs = await importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'docs.mjs')).href);
    assert.strictEqual(readme, docs.renderReadme(readme), 'README.md is out of date with tasks/*/task.json: run `npm run docs` and commit the result');
  });

  it('has a reference section for every task', () => {
    for (const task of fs.readdirSync(path.join(repoRoot, 'tasks'))) {
      if (!fs.existsSync(path.join(repoRoot, 'tasks', task, 'task.json'))) continue;
      const json = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', task, 'task.json'), 'utf8'));
      assert.ok(readme.includes(`<!-- reference:${task} -->`), `README has no reference section for ${task}`);
      for (const input of json.inputs) assert.ok(readme.includes(`| \`${input.name}\` |`), `README does not document ${task} input ${input.name}`);
      for (const v of json.outputVariables ?? []) assert.ok(readme.includes(`| \`${v.name}\` |`), `README does not document ${task} output ${v.name}`);
    }
  });

  it('names the two commands a newcomer runs', () => {
    assert.ok(readme.includes('npm ci && npm run package'));
    assert.ok(readme.includes('npm ci && npm test'));
    const ci = fs.readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8');
    assert.match(ci, /^npm ci$/m);
    assert.match(ci, /^npm test$/m);
  });
});

describe('README troubleshooting', () => {
  it('quotes messages the tasks really print', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Troubleshooting'));
    const sources = listSources(path.join(repoRoot, 'tasks')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const quoted = [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((q) => q[1]));
    assert.ok(quoted.length >= 10, `expected the troubleshooting table, found ${quoted.length} quoted messages`);
    for (const text of quoted) assert.ok(sources.includes(text), `README quotes "${text}", which no task source prints`);
  });
});

function listSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listSources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('overview.md (Marketplace page)', () => {
  const overview = fs.readFileSync(path.join(repoRoot, 'overview.md'), 'utf8');

  it('states the versions the tasks really pin', () => {
    const { PINNED_VERSIONS } = require('../../tasks/common/install/versions') as typeof import('../../tasks/common/install/versions');
    assert.ok(overview.includes(`Grype ${PINNED_VERSIONS.grype}, Syft ${PINNED_VERSIONS.syft}`), 'overview.md names other pinned versions than tasks/common/install/versions.ts');
  });

  it('gives the same defaults as task.json for the inputs it lists', () => {
    for (const task of ['GrypeScan', 'SyftSbom']) {
      const json = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', task, 'task.json'), 'utf8'));
      const start = overview.indexOf(`## ${task}@1`);
      assert.ok(start >= 0, `overview.md has no section for ${task}@1`);
      const section = overview.slice(start, overview.indexOf('\n## ', start + 1));
      const rows = [...section.matchAll(/^\| `(\w+)` \| (`[^`]*`)? \|/gm)];
      assert.ok(rows.length >= 5, `${task}: expected an input table in overview.md`);
      for (const [, name, quoted] of rows) {
        const input = json.inputs.find((i: { name: string }) => i.name === name);
        assert.ok(input, `overview.md lists ${task} input ${name}, which task.json does not have`);
        assert.strictEqual(quoted ? quoted.slice(1, -1) : '', input.defaultValue ?? '', `overview.md: default of ${task}.${name}`);
      }
    }
  });
});
