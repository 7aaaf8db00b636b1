// `npm run package` is reproducible: two runs of one commit give byte-identical VSIX and SBOM files,
// with entry times, entry order, [Content_Types].xml and the SBOM's timestamp/serialNumber taken from
// the commit. Runs scripts/package.mjs in a temp git repository holding a copy of this checkout's
// build output (dist/, from `npm run package`), committed at a fixed time, with a PATH that has git
// and file but no node: tfx must be run through process.execPath, not a shim that looks node up
// (node_modules/.bin/tfx runs `/usr/bin/env node`; tfx.cmd cannot be execFile'd on Windows at all).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listZip, readZipEntry, repoRoot } from '../harness/vsix';

const COMMIT_TIME = '2001-02-03T04:05:06Z';

describe('package: reproducible VSIX and extension SBOM', function () {
  this.timeout(120_000);
  let root: string;
  const outputs: { vsix: Buffer; sbom: Buffer }[] = [];

  function packageOnce(env: Record<string, string> = {}): { vsix: Buffer; sbom: Buffer } {
    const bin = path.join(root, 'bin');
    const out = path.join(root, 'out');
    fs.rmSync(out, { recursive: true, force: true });
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, env: { PATH: bin, HOME: root, ...env }, stdio: 'pipe' });
    const file = (ext: string) => path.join(out, fs.readdirSync(out).find((f) => f.endsWith(ext))!);
    return { vsix: fs.readFileSync(file('.vsix')), sbom: fs.readFileSync(file('.cdx.json')) };
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'package-'));
    for (const f of ['scripts', 'dist', 'package.json', 'package-lock.json', 'vss-extension.json']) fs.cpSync(path.join(repoRoot, f), path.join(root, f), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
    fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules\nout\nbin\n');
    fs.mkdirSync(path.join(root, 'bin'));
    // What the build runs besides node: git (commit time) and file (tfx's MIME types of extension-less files).
    for (const tool of ['git', 'file']) {
      const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      fs.symlinkSync(found, path.join(root, 'bin', tool));
    }
    const gitEnv = { ...process.env, GIT_AUTHOR_DATE: COMMIT_TIME, GIT_COMMITTER_DATE: COMMIT_TIME, GIT_CONFIG_GLOBAL: '/dev/null' };
    const run = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: root, env: gitEnv, stdio: 'pipe' });
    run('init', '-q');
    run('add', '-A');
    run('commit', '-q', '-m', 'build under test');
    outputs.push(packageOnce(), packageOnce());
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('two builds of one commit give byte-identical files', () => {
    assert.ok(outputs[0].vsix.equals(outputs[1].vsix), 'VSIX bytes differ');
    assert.ok(outputs[0].sbom.equals(outputs[1].sbom), 'SBOM bytes differ');
  });

  it('every zip entry is dated at the commit, in name order', () => {
    const entries = listZip(outputs[0].vsix);
    const names = entries.map((e) => e.name);
    assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // 2001-02-03 04:05:06 UTC as MS-DOS fields (seconds in 2 s steps)
    const dosDate = ((2001 - 1980) << 9) | (2 << 5) | 3;
    const dosTime = (4 << 11) | (5 << 5) | 3;
    for (const e of entries) assert.deepEqual([e.name, e.dosDate, e.dosTime], [e.name, dosDate, dosTime]);
    assert.ok(names.includes('extension.vsixmanifest') && names.some((n) => n.endsWith('tasks/GrypeScan/index.js')));
  });

  it('[Content_Types].xml lists its Default and then its Override elements each in sorted order', () => {
    const entry = listZip(outputs[0].vsix).find((e) => e.name === '[Content_Types].xml')!;
    const elements = readZipEntry(outputs[0].vsix, entry).toString('utf8').match(/<(Default|Override)\b[^>]*\/>/g)!;
    const defaults = elements.filter((e) => e.startsWith('<Default'));
    const overrides = elements.filter((e) => e.startsWith('<Override'));
    assert.ok(defaults.length > 3 && overrides.length > 0);
    assert.deepEqual(elements, [...[...defaults].sort(), ...[...overrides].sort()]);
  });

  it("the SBOM's timestamp is the commit time and its serialNumber a name-based (v5) UUID of its content", () => {
    const sbom = JSON.parse(outputs[0].sbom.toString('utf8'));
    assert.equal(sbom.metadata.timestamp, '2001-02-03T04:05:06.000Z');
    assert.match(sbom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const other = JSON.parse(packageOnce({ EXTENSION_VERSION: '1.2.3' }).sbom.toString('utf8'));
    assert.equal(other.metadata.component.version, '1.2.3');
    assert.notEqual(other.serialNumber, sbom.serialNumber, 'other content, other serial');
  });
});
