// Black-box checks of the packaged extension (npm test runs `npm run package` first).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  extractedRoot,
  extractedTaskDir,
  listZip,
  parseVsoCommands,
  parseVsoLine,
  readZipEntry,
  repoRoot,
  runTask,
  sbomPathFor,
  vsixPath,
  type TaskName,
  type ZipEntry,
} from '../harness/vsix';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const CDX = require('@cyclonedx/cyclonedx-library');

const MAX_VSIX_BYTES = 1_048_576;
const TASKS: TaskName[] = ['GrypeScan', 'SyftSbom'];

describe('vsix: harness command parser mirrors the agent', () => {
  it('finds ##vso[ anywhere in a line, case-sensitively', () => {
    assert.equal(parseVsoLine('pkg name: evil ##vso[task.setvariable variable=x]1')?.command, 'task.setvariable');
    assert.equal(parseVsoLine('##VSO[task.setvariable variable=x]1'), undefined);
    assert.equal(parseVsoLine('##vso[task.setvariable variable=x'), undefined, 'no ] → not a command');
    assert.equal(parseVsoLine('##vso[task]x'), undefined, 'area.event needs two parts');
    assert.equal(parseVsoLine('**vso[task.setvariable variable=x]1'), undefined);
  });
  it('unescapes properties and data like the agent', () => {
    const c = parseVsoLine('##vso[task.logissue type=warning;SourcePath=a%3Bb%5Dc;code=]100%AZP25 done%0D%0Anext%3B')!;
    assert.deepEqual(c.properties, { type: 'warning', sourcepath: 'a;b]c' }, 'keys lower-cased; empty values dropped');
    assert.equal(c.message, '100% done\r\nnext;');
  });
  it('splits lines on \\n, \\r\\n and a bare \\r', () => {
    const cmds = parseVsoCommands('a\r##vso[build.addbuildtag]t1\r\n##vso[build.addbuildtag]t2\nx');
    assert.deepEqual(cmds.map((c) => c.message), ['t1', 't2']);
  });
});

describe('vsix: package contents', () => {
  let vsix: string;
  let buf: Buffer;
  let entries: ZipEntry[];
  const entry = (name: string) => entries.find((e) => e.name === name);
  const read = (name: string) => {
    const e = entry(name);
    assert.ok(e, `${name} is not in ${vsix}`);
    return readZipEntry(buf, e);
  };

  before(() => {
    vsix = vsixPath();
    buf = fs.readFileSync(vsix);
    entries = listZip(buf);
  });

  it(`is at most ${MAX_VSIX_BYTES} bytes (1 MB)`, () => {
    const size = fs.statSync(vsix).size;
    assert.ok(size <= MAX_VSIX_BYTES, `VSIX is ${size} bytes, over the 1 MB budget (${MAX_VSIX_BYTES}); something unbundled is being shipped`);
  });

  it('is named <publisher>.<id>-<version>.vsix after its own manifest', () => {
    const xml = read('extension.vsixmanifest').toString('utf8');
    const identity = /<Identity\b([^>]*)\/?>/.exec(xml)?.[1] ?? '';
    const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(identity)?.[1];
    assert.equal(path.basename(vsix), `${attr('Publisher')}.${attr('Id')}-${attr('Version')}.vsix`);
  });

  it('contains the manifests, overview, license and extension icon', () => {
    for (const n of ['extension.vsomanifest', 'extension.vsixmanifest', '[Content_Types].xml', 'overview.md', 'LICENSE', 'images/extension-icon.png']) {
      assert.ok(entry(n), `${n} missing from the VSIX`);
    }
    const vso = JSON.parse(read('extension.vsomanifest').toString('utf8'));
    const names = vso.contributions.filter((c: { type: string }) => c.type === 'ms.vss-distributed-task.task').map((c: { properties: { name: string } }) => c.properties.name);
    assert.deepEqual(names.sort(), TASKS.map((t) => `tasks/${t}`));
  });

  for (const t of TASKS) {
    it(`carries tasks/${t}/task.json identical to the source, plus index.js and icon.png`, () => {
      const src = fs.readFileSync(path.join(repoRoot, 'tasks', t, 'task.json'));
      assert.ok(read(`tasks/${t}/task.json`).equals(src), `tasks/${t}/task.json in the VSIX differs from the source (stale build or rewritten by packaging)`);
      assert.ok(read(`tasks/${t}/index.js`).length > 0, `tasks/${t}/index.js is empty`);
      assert.ok(read(`tasks/${t}/icon.png`).equals(fs.readFileSync(path.join(repoRoot, 'tasks', t, 'icon.png'))));
    });
  }

  it('the harness extraction matches the zip entries byte for byte', () => {
    const root = extractedRoot();
    for (const e of entries.filter((x) => !x.name.endsWith('/'))) {
      assert.ok(fs.readFileSync(path.join(root, e.name)).equals(readZipEntry(buf, e)), `${e.name} differs after extraction`);
    }
  });

  it('ships no node_modules (tasks are bundled)', () => {
    const nm = entries.filter((e) => /(^|\/)node_modules(\/|$)/.test(e.name)).map((e) => e.name);
    assert.deepEqual(nm.slice(0, 10), [], `the VSIX contains ${nm.length} node_modules entries`);
  });
});

describe('vsix: extension SBOM', () => {
  let sbomFile: string;
  let sbomText: string;
  let sbom: {
    specVersion: string;
    metadata: { component: { name: string; version: string } };
    components: {
      name: string; group?: string; version: string; purl?: string; hashes?: { alg: string; content: string }[]; licenses?: unknown[];
      pedigree?: { patches?: { type: string; diff?: { text?: { content: string } } }[] };
    }[];
  };

  before(() => {
    sbomFile = sbomPathFor(vsixPath());
    assert.ok(fs.existsSync(sbomFile), `${sbomFile} missing: npm run package writes it next to the VSIX`);
    sbomText = fs.readFileSync(sbomFile, 'utf8');
    sbom = JSON.parse(sbomText);
  });

  it('declares the packages changed at bundle time as unofficial pedigree patches, and only those', () => {
    const patched = new Map(sbom.components.filter((c) => c.pedigree).map((c) => [c.group ? `${c.group}/${c.name}` : c.name, c.pedigree!.patches ?? []]));
    const files = (pkg: string) => (patched.get(pkg) ?? []).map((p) => { assert.equal(p.type, 'unofficial'); return p.diff?.text?.content.split(':')[0]; }).sort();
    // Only tunnel: the CycloneDX validation uses Ajv and xmllint-wasm as they are (SyftSbom/validation.ts).
    assert.deepEqual([...patched.keys()].sort(), ['tunnel']);
    assert.deepEqual(files('tunnel'), ['lib/tunnel.js']);
    // The patch is in what ships: both tasks bundle tunnel (typed-rest-client's proxy agent).
    for (const t of ['GrypeScan', 'SyftSbom'] as const) {
      const bundle = fs.readFileSync(path.join(extractedTaskDir(t), 'index.js'), 'utf8');
      assert.match(bundle, /Buffer\.from\(\w+\.proxyAuth\)/, `${t}: tunnel's proxy header uses Buffer.from`);
      assert.doesNotMatch(bundle, /new Buffer\(/, `${t}: no deprecated Buffer constructor`);
    }
  });

  it('is valid CycloneDX 1.6 JSON (strict schema)', async () => {
    assert.equal(sbom.specVersion, '1.6');
    const err = await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(sbomText);
    assert.equal(err, null, `invalid: ${JSON.stringify(err)}`);
  });

  it('describes the extension in metadata.component', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'vss-extension.json'), 'utf8'));
    assert.ok(path.basename(sbomFile).includes(`.${manifest.id}-${sbom.metadata.component.version}.cdx.json`));
  });

  it('lists exactly the packages bundled into the tasks (esbuild metafiles), as package-lock.json has them', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
    const metaDir = path.join(repoRoot, 'dist', 'meta');
    const expected = new Map<string, string | undefined>();
    for (const file of fs.readdirSync(metaDir)) {
      const inputs = Object.keys(JSON.parse(fs.readFileSync(path.join(metaDir, file), 'utf8')).inputs);
      for (const input of inputs) {
        const key = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
        if (!key) continue;
        const p = lock.packages[key] as { name?: string; version: string; dev?: boolean; integrity?: string } | undefined;
        assert.ok(p, `${input} is bundled but ${key} is not in package-lock.json`);
        assert.ok(!p.dev, `${key} is bundled but is a devDependency`);
        const name = p.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
        expected.set(`${name}@${p.version}`, p.integrity);
      }
    }
    assert.ok(expected.has('azure-pipelines-task-lib@5.281.0'), 'task-lib should be bundled');
    const actual = sbom.components.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`);
    assert.equal(new Set(actual).size, actual.length, 'duplicate components');
    assert.deepEqual([...actual].sort(), [...expected.keys()].sort());
    for (const c of sbom.components) {
      const full = `${c.group ? `${c.group}/` : ''}${c.name}`;
      assert.ok(c.purl?.startsWith('pkg:npm/'), `${full}: no npm purl`);
      const integrity = expected.get(`${full}@${c.version}`);
      const sha512 = integrity && /^sha512-(\S+)/.exec(integrity)?.[1];
      if (sha512) {
        assert.deepEqual(c.hashes?.find((h) => h.alg === 'SHA-512')?.content, Buffer.from(sha512, 'base64').toString('hex'), `${full}: SHA-512 differs from the lockfile integrity`);
      }
    }
  });
});

describe('vsix: bundled tasks start from the extracted VSIX', () => {
  for (const t of TASKS) {
    it(`${t}: node index.js runs with only default inputs and reports ##vso[task.complete`, async () => {
      const dir = extractedTaskDir(t);
      assert.ok(fs.existsSync(path.join(dir, 'index.js')));
      const run = await runTask(t, { timeoutMs: 30_000 });
      assert.equal(run.timedOut, false, `${t} did not finish within 30 s:\n${run.stdout}\n${run.stderr}`);
      assert.ok(run.stdout.includes('##vso[task.complete'), `${t} printed no ##vso[task.complete line:\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      assert.ok(run.commands.some((c) => c.command === 'task.complete'));
      assert.ok(!/Cannot find module|LIB_ResourceFile does not exist/.test(run.stdout + run.stderr), `${t}: the bundle is missing something:\n${run.stderr}`);
      // Whatever the task publishes as an output variable must be declared in its task.json.
      const declared = new Set(((JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8')).outputVariables ?? []) as { name: string }[]).map((o) => o.name));
      for (const c of run.commands) {
        if (c.command === 'task.setvariable' && (c.properties.isoutput ?? '').toLowerCase() === 'true') {
          assert.ok(declared.has(c.properties.variable), `${t} sets output variable ${c.properties.variable} that task.json does not declare`);
        }
      }
    });
  }
});
