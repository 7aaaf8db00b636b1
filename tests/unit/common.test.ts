import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { splitArguments } from '../../tasks/common/arguments';
import { chooseConfigFile, configCandidates } from '../../tasks/common/config';
import { parseHttpUrl } from '../../tasks/common/inputs';
import { checkAgentProxyUrl, proxyEnvironment } from '../../tasks/common/proxy';
import { UserError } from '../../tasks/common/errors';
import { bar, cell, code, table } from '../../tasks/common/markdown';
import { prepareOutputDirectory } from '../../tasks/common/outputDirectory';
import { registryAuthority, registryEnvironment } from '../../tasks/common/registry';
import { reportStem, resolveTarget, slugify } from '../../tasks/common/target';
import { formatBytes, neutraliseCommands, oneLine } from '../../tasks/common/text';
import { LineTail } from '../../tasks/common/exec';
import { isFile } from '../../tasks/common/files';
import { repoRoot } from '../harness/paths';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'common-test-'));
}

describe('common: untrusted text', () => {
  /** `path:line: text` of every line of the tasks' .ts and .mjs sources matching `re`, but in `except`. */
  function linesInTasks(re: RegExp, except: string[] = []): string[] {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        const name = path.relative(repoRoot, file).split(path.sep).join('/');
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|mjs)$/.test(entry.name) && !except.includes(name)) {
          fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
            if (re.test(line)) found.push(`${name}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    walk(path.join(repoRoot, 'tasks'));
    return found;
  }

  it('the tasks print only through logLine (tasks/common/text.ts), which neutralises every line', () => {
    assert.deepStrictEqual(linesInTasks(/\bconsole\.(log|info|warn|error)\b|process\.(stdout|stderr)\.write/, ['tasks/common/text.ts']), []);
  });

  it('no V8 flag is changed at run time (Node documents that it can crash the process)', () => {
    assert.deepStrictEqual(linesInTasks(/setFlagsFromString|--expose-gc|runInNewContext\(\s*'gc'/), []);
  });

  it('no array of unbounded size is spread into a call (each element would be an argument on the stack)', () => {
    assert.deepStrictEqual(linesInTasks(/\.(push|unshift|splice)\(\s*\.\.\.|\.apply\(/), []);
  });

  it('neutralises ##vso[ in any case, everywhere in the text', () => {
    assert.strictEqual(neutraliseCommands('a ##vso[task.complete result=Succeeded]b'), 'a ##_vso[task.complete result=Succeeded]b');
    assert.strictEqual(neutraliseCommands('##VSO[x]##vso[y]'), '##_vso[x]##_vso[y]');
    assert.strictEqual(neutraliseCommands('##[warning] plain'), '##[warning] plain');
  });
  it('oneLine flattens newlines and caps the length', () => {
    assert.strictEqual(oneLine('a\r\n##vso[x]\tb'), 'a ##_vso[x] b');
    const long = oneLine('x'.repeat(500), 10);
    assert.strictEqual(long.length, 10);
    assert.ok(long.endsWith('…'));
  });
  it('formats sizes', () => {
    assert.strictEqual(formatBytes(512), '512 B');
    assert.strictEqual(formatBytes(1536), '1.5 KB');
    assert.strictEqual(formatBytes(30 * 1024 * 1024), '30.0 MB');
  });
});

describe('common: markdown', () => {
  it('escapes pipes, HTML, newlines and markers in cells', () => {
    assert.strictEqual(cell('a|b<script>\n##vso[x]'), 'a\\|b&lt;script&gt; ##\\_vso\\[x\\]');
    // Neither the brackets nor the bare URL can form a link.
    assert.strictEqual(cell('[click](https://evil.example)'), '\\[click\\](https&#58;//evil.example)');
    assert.strictEqual(cell('see www.evil.example'), 'see www&#46;evil.example');
    assert.strictEqual(cell('_a_ *b* ~c~ `d` &lt;e&gt;'), '\\_a\\_ \\*b\\* \\~c\\~ \\`d\\` &amp;lt;e&amp;gt;');
    assert.strictEqual(cell(undefined), '');
    assert.strictEqual(cell(0), '0');
  });
  it('builds tables', () => {
    assert.strictEqual(table(['A', 'B'], [[1, 'x|y']]), '| A | B |\n| --- | --- |\n| 1 | x\\|y |');
  });
  it('draws proportional bars and never hides a non-zero count', () => {
    assert.strictEqual(bar(10, 10, 10), '██████████');
    assert.strictEqual(bar(0, 10, 10), '░░░░░░░░░░');
    assert.strictEqual(bar(1, 1000, 10), '█░░░░░░░░░');
    assert.strictEqual(bar(5, 10, 10), '█████░░░░░');
  });
  it('inline code survives backticks', () => {
    assert.strictEqual(code('a`b'), '``a`b``');
    assert.strictEqual(code('nginx:1.27'), '`nginx:1.27`');
  });
});

describe('common: splitArguments', () => {
  // The same on every platform.
  const cases: [string, string[]][] = [
    ['', []],
    ['  --scope   all-layers ', ['--scope', 'all-layers']],
    [`--exclude './**/test/**' --name "my app"`, ['--exclude', './**/test/**', '--name', 'my app']],
    [`-e "a \\"quoted\\" word"`, ['-e', 'a "quoted" word']],
    [`a\\ b c`, ['a b', 'c']],
    [`x; rm -rf / $(whoami) | cat`, ['x;', 'rm', '-rf', '/', '$(whoami)', '|', 'cat']],
    [`''`, ['']],
    [`--name="my app"`, ['--name=my app']],
    [`it\\'s \\"x\\" --exclude ./my\\ dir/**`, [`it's`, '"x"', '--exclude', './my dir/**']],
    [`'single \\ "kept"' "dq \\' \\ kept"`, ['single \\ "kept"', "dq \\' \\ kept"]],
    ['--scope all-layers \\\n  --exclude ./x', ['--scope', 'all-layers', '--exclude', './x']],
    ['"two \\\nlines"', ['two lines']],
  ];
  for (const [input, expected] of cases) {
    for (const windows of [false, true]) {
      it(`splits ${JSON.stringify(input)} (${windows ? 'Windows' : 'POSIX'})`, () => assert.deepStrictEqual(splitArguments(input, windows), expected));
    }
  }
  // POSIX agents: a backslash escapes the next character, as in sh.
  const posix: [string, string[]][] = [
    [`--exclude \\*.log`, ['--exclude', '*.log']],
    [`foo\\$bar`, ['foo$bar']],
    [`"a\\\\b"`, ['a\\b']],
    [`"C:\\\\out\\\\"`, ['C:\\out\\']],
  ];
  for (const [input, expected] of posix) {
    it(`POSIX: splits ${JSON.stringify(input)} as sh would`, () => assert.deepStrictEqual(splitArguments(input, false), expected));
  }
  // Windows agents: a backslash escapes only a quote or whitespace, so paths survive as written.
  const windowsPaths: [string, string[]][] = [
    [`--exclude C:\\src\\test\\**`, ['--exclude', 'C:\\src\\test\\**']],
    [`--exclude \\\\server\\share\\dir`, ['--exclude', '\\\\server\\share\\dir']],
    [`"\\\\server\\share\\my dir" x`, ['\\\\server\\share\\my dir', 'x']],
    [`-t "C:\\Program Files\\grype\\html.tmpl"`, ['-t', 'C:\\Program Files\\grype\\html.tmpl']],
    [`C:\\new\\tab\\`, ['C:\\new\\tab\\']],
    [`'C:\\out\\' next`, ['C:\\out\\', 'next']],
    [`.\\src\\*.cs`, ['.\\src\\*.cs']],
  ];
  for (const [input, expected] of windowsPaths) {
    it(`Windows: keeps the backslashes of ${JSON.stringify(input)}`, () => assert.deepStrictEqual(splitArguments(input, true), expected));
  }
  it('rejects an unclosed quote with a clear message', () => {
    assert.throws(() => splitArguments(`--name "oops`), (e: Error) => e instanceof UserError && /unclosed " quote/.test(e.message));
    assert.throws(() => splitArguments(`"C:\\out\\"`, true), (e: Error) => e instanceof UserError && /unclosed " quote.*single quotes, e\.g\. 'C:\\out\\'/.test(e.message));
  });
});

describe('common: target', () => {
  it('defaults to the sources directory when the input is not set', () => {
    assert.strictEqual(resolveTarget(undefined, '/src'), 'dir:/src');
  });
  it('rejects empty and whitespace-only targets', () => {
    for (const raw of ['', '   ', '\n']) {
      assert.throws(() => resolveTarget(raw, '/src'), (e: Error) => e instanceof UserError && /target is empty/.test(e.message));
    }
  });
  it('accepts image references without touching the disk', () => {
    for (const t of ['nginx:1.27', 'registry:myacr.azurecr.io/app:1.0', 'docker:alpine', 'localhost:5000/app', 'ghcr.io/org/app@sha256:abc']) {
      assert.strictEqual(resolveTarget(` ${t} `, '/src'), t);
    }
  });
  it('checks that path targets exist', () => {
    const dir = tempDir();
    assert.strictEqual(resolveTarget(`dir:${dir}`, '/src'), `dir:${dir}`);
    assert.throws(() => resolveTarget(`dir:${dir}/missing`, '/src'), /does not exist/);
    assert.throws(() => resolveTarget('sbom:', '/src'), /names no path/);
  });
  it('rejects a macro the pipeline does not define (the default in a classic release), naming it', () => {
    for (const [raw, macro] of [['dir:$(Build.SourcesDirectory)', '$(Build.SourcesDirectory)'], ['myacr.azurecr.io/app:$(Build.BuildId)', '$(Build.BuildId)']]) {
      assert.throws(
        () => resolveTarget(raw, undefined),
        (e: Error) => e instanceof UserError && e.message.startsWith(`Input target '${raw}' uses ${macro}, which this pipeline does not define. Set target`),
      );
    }
  });
  it('makes safe, unique-per-job file stems', () => {
    assert.strictEqual(slugify('registry:MyAcr.azurecr.io/App:1.0'), 'registry-myacr.azurecr.io-app-1.0');
    assert.strictEqual(slugify('///'), 'target');
    assert.match(reportStem('dir:/agent/_work/1/s', 'Scan linux'), /^dir-s-scan-linux-[0-9a-f]{8}$/);
    assert.match(reportStem('nginx:1.27', undefined), /^nginx-1.27-[0-9a-f]{8}$/);
    assert.strictEqual(reportStem('nginx:1.27', 'job_a'), reportStem('nginx:1.27', 'job_a'), 'the same target and job: the same name on every run');
    assert.notStrictEqual(reportStem('nginx:1.27', 'job_a'), reportStem('nginx:1.27', 'job_b'));
  });

  it('reportStem: a path in the pipeline workspace gives the same name on every agent', () => {
    assert.strictEqual(reportStem('dir:/agent/_work/1/s', 'Job', '/agent/_work/1'), reportStem('dir:/home/vsts/work/7/s', 'Job', '/home/vsts/work/7'));
    assert.strictEqual(reportStem('sbom:/a/_work/2/last/x.cdx.json', 'Job', '/a/_work/2'), reportStem('sbom:/b/w/9/last/x.cdx.json', 'Job', '/b/w/9'));
    assert.notStrictEqual(reportStem('dir:/agent/_work/1/s', 'Job', '/agent/_work/1'), reportStem('dir:/agent/_work/1/s/app', 'Job', '/agent/_work/1'));
    assert.notStrictEqual(reportStem('dir:/opt/src', 'Job', '/agent/_work/1'), reportStem('dir:/srv/src', 'Job', '/agent/_work/1'), 'outside the workspace: the whole path counts');
    assert.strictEqual(reportStem('nginx:1.27', 'Job', '/agent/_work/1'), reportStem('nginx:1.27', 'Job', '/elsewhere'), 'images do not depend on the workspace');
  });

  it('reportStem: targets whose readable slugs coincide still get different names', () => {
    // directories with the same last segment; images that differ only after the slug's 60 characters; jobs after 40
    const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/orders';
    const pairs: [string, string, string, string][] = [
      ['dir:/w/1/s/frontend/src', 'Job', 'dir:/w/1/s/backend/src', 'Job'],
      [`${ecr}-api:1.4.2`, 'Job', `${ecr}-worker:1.4.2`, 'Job'],
      ['nginx:1.27', 'Syft SBOM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/orders-api', 'nginx:1.27', 'Syft SBOM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/orders-worker'],
    ];
    for (const [t1, j1, t2, j2] of pairs) {
      const [a, b] = [reportStem(t1, j1), reportStem(t2, j2)];
      assert.strictEqual(a.replace(/-[0-9a-f]{8}$/, ''), b.replace(/-[0-9a-f]{8}$/, ''), 'the readable parts coincide');
      assert.notStrictEqual(a, b, `${t1} / ${t2}`);
    }
  });
});

describe('common: config file', () => {
  it('uses the explicit file, or says it is missing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'custom.yaml');
    fs.writeFileSync(file, 'x: 1');
    assert.strictEqual(chooseConfigFile('grype', file, dir).path, file);
    assert.throws(() => chooseConfigFile('grype', path.join(dir, 'nope.yaml'), dir), (e: Error) => e instanceof UserError && /was not found/.test(e.message));
  });
  it('finds candidates in order in the sources directory', () => {
    const dir = tempDir();
    assert.strictEqual(chooseConfigFile('syft', undefined, dir).path, undefined);
    assert.match(chooseConfigFile('syft', undefined, dir).message, /No syft config file/);
    fs.writeFileSync(path.join(dir, 'grype.yaml'), '');
    assert.strictEqual(chooseConfigFile('grype', '', dir).path, path.join(dir, 'grype.yaml'));
    fs.writeFileSync(path.join(dir, '.grype.yml'), '');
    assert.strictEqual(chooseConfigFile('grype', '', dir).path, path.join(dir, '.grype.yml'));
    assert.deepStrictEqual(configCandidates('syft').slice(0, 2), ['.syft.yaml', '.syft.yml']);
  });
});

describe('common: registry credentials', () => {
  it('takes the host of a registry URL', () => {
    assert.strictEqual(registryAuthority('https://index.docker.io/v1/'), 'index.docker.io');
    assert.strictEqual(registryAuthority('myacr.azurecr.io'), 'myacr.azurecr.io');
    assert.strictEqual(registryAuthority('http://localhost:5000'), 'localhost:5000');
  });
  it('maps to the scanner environment only', () => {
    assert.deepStrictEqual(registryEnvironment('SYFT', { authority: 'r.io', username: 'u', password: 'p' }), {
      SYFT_REGISTRY_AUTH_AUTHORITY: 'r.io',
      SYFT_REGISTRY_AUTH_USERNAME: 'u',
      SYFT_REGISTRY_AUTH_PASSWORD: 'p',
    });
  });
});

describe('common: output directory', () => {
  it('creates the input folder', () => {
    const dir = path.join(tempDir(), 'a', 'b');
    assert.strictEqual(prepareOutputDirectory(dir, 'x', {}), dir);
    assert.ok(fs.statSync(dir).isDirectory());
  });
  it('falls back to the staging, then the temp directory', () => {
    const staging = tempDir();
    const temp = tempDir();
    assert.strictEqual(prepareOutputDirectory(undefined, 'sbom', { BUILD_ARTIFACTSTAGINGDIRECTORY: staging, AGENT_TEMPDIRECTORY: temp }), path.join(staging, 'sbom'));
    assert.strictEqual(prepareOutputDirectory('  ', 'sbom', { AGENT_TEMPDIRECTORY: temp }), path.join(temp, 'sbom'));
    assert.throws(() => prepareOutputDirectory(undefined, 'sbom', {}), UserError);
  });
  it('treats a macro the pipeline does not define as unset, and says so in one line', () => {
    const temp = tempDir();
    const cwd = process.cwd();
    const lines: string[] = [];
    process.chdir(tempDir());
    try {
      const dir = prepareOutputDirectory('$(Build.ArtifactStagingDirectory)/output_grype', 'output_grype', { AGENT_TEMPDIRECTORY: temp }, (l) => lines.push(l));
      assert.strictEqual(dir, path.join(temp, 'output_grype'));
      assert.deepStrictEqual(fs.readdirSync(process.cwd()), [], 'no folder named $(…) in the working directory');
    } finally {
      process.chdir(cwd);
    }
    assert.deepStrictEqual(lines, [`outputDirectory uses $(Build.ArtifactStagingDirectory), which this pipeline does not define; writing to ${path.join(temp, 'output_grype')} instead.`]);
    assert.throws(() => prepareOutputDirectory('$(Foo)/out', 'sbom', {}, () => undefined), (e: Error) => e instanceof UserError && /outputDirectory uses \$\(Foo\), which this pipeline does not define,/.test(e.message));
  });
  it('says clearly when the folder cannot be written', () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');
    assert.throws(() => prepareOutputDirectory(path.join(file, 'sub'), 'x', {}), (e: Error) => e instanceof UserError && /cannot be created or written/.test(e.message));
  });
});

describe('common: URL inputs', () => {
  it('accepts http(s) URLs and nothing else', () => {
    assert.strictEqual(parseHttpUrl('dbUpdateUrl', ''), undefined);
    assert.strictEqual(parseHttpUrl('dbUpdateUrl', ' https://mirror.example/databases '), 'https://mirror.example/databases');
    assert.throws(() => parseHttpUrl('dbUpdateUrl', 'not a url'), (e: Error) => e instanceof UserError && /dbUpdateUrl is 'not a url'/.test(e.message));
    assert.throws(() => parseHttpUrl('downloadBaseUrl', 'ftp://x/y'), /must be an http\(s\) URL/);
    assert.throws(() => parseHttpUrl('downloadBaseUrl', 'https://me:t0ken@mirror.example/grype'), (e: Error) => /must not contain credentials/.test(e.message) && !e.message.includes('t0ken'));
  });
});

describe('common: agent proxy for Grype and Syft', () => {
  const config = { proxyUrl: 'http://proxy.corp:8080/', proxyUsername: 'u', proxyPassword: 'p@ss:/', proxyFormattedUrl: 'http://u:p@ss:/@proxy.corp:8080', proxyBypassHosts: ['github\\.com', '.*\\.internal', 'dtrack.corp:8443'] };
  it('passes the agent proxy, with credentials, as HTTP(S)_PROXY and plain bypass hosts as NO_PROXY', () => {
    assert.deepStrictEqual(proxyEnvironment(config, {}), {
      HTTPS_PROXY: 'http://u:p%40ss%3A%2F@proxy.corp:8080',
      HTTP_PROXY: 'http://u:p%40ss%3A%2F@proxy.corp:8080',
      NO_PROXY: 'github.com,dtrack.corp:8443',
    });
    assert.strictEqual(proxyEnvironment(config, { no_proxy: 'localhost' }).NO_PROXY, 'localhost,github.com,dtrack.corp:8443');
  });
  it('leaves a proxy the pipeline set alone, and does nothing without an agent proxy', () => {
    assert.deepStrictEqual(proxyEnvironment(config, { https_proxy: 'http://other:3128' }), {});
    assert.deepStrictEqual(proxyEnvironment(null, {}), {});
    assert.deepStrictEqual(proxyEnvironment({ proxyUrl: 'http://p:1', proxyFormattedUrl: 'http://p:1' }, {}), { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' });
  });
  it('accepts an http(s) agent proxy URL, and refuses any other clearly, without echoing credentials', () => {
    for (const ok of ['http://proxy.corp:8080', 'https://10.0.0.1:3128/', 'http://[::1]:8080']) assert.doesNotThrow(() => checkAgentProxyUrl(ok), ok);
    for (const bad of ['proxy.corp:8080', 'http://proxy corp:8080', 'socks5://proxy:1080', 'http://', 'http://user:s3cret@[bad']) {
      assert.throws(
        () => checkAgentProxyUrl(bad),
        (e: Error) => e instanceof UserError && /Agent\.ProxyUrl.*is not a valid http\(s\) URL.*--proxyurl/.test(e.message) && !e.message.includes('s3cret'),
        bad,
      );
    }
  });
});

describe('common: LineTail (the stderr tail of a tool run)', () => {
  it('keeps the last lines, \\r\\n or \\n, across chunk boundaries', () => {
    const tail = new LineTail(3, 100);
    for (const chunk of ['one\r\ntw', 'o\nthree\nfo', 'ur\r', '\nfive']) tail.write(chunk);
    assert.deepStrictEqual(tail.end(), ['three', 'four', 'five']);
  });
  it('drops the terminal colour codes grype and syft print around errors', () => {
    const tail = new LineTail(3, 100);
    tail.write('[0000] ERROR \x1b[31mfailed to catalog: unexpected EOF\x1b[0m\n');
    assert.deepStrictEqual(tail.end(), ['[0000] ERROR failed to catalog: unexpected EOF']);
  });
  it('a 32 MB line without a newline is kept as its first characters and a mark; nothing more is held', () => {
    const tail = new LineTail(20, 2000);
    const block = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 512; i++) tail.write(block);
    tail.write('\nlast');
    assert.deepStrictEqual(tail.end(), [`${'x'.repeat(2000)}…`, 'last']);
  });
});

describe('common: isFile (the one helper the installer, the tool cache and the config lookup share)', () => {
  it('is true for a file or a link to one, false for a folder, a dangling link or nothing', () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'f'), '');
      fs.symlinkSync(path.join(dir, 'f'), path.join(dir, 'link'));
      fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling'));
      assert.deepStrictEqual(['f', 'link', '.', 'dangling', 'missing'].map((n) => isFile(path.join(dir, n))), [true, true, false, false, false]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
