// What a new user reads before the first run: the Marketplace listing (vss-extension.json and
// overview.md), the README's Install section, and the one way the docs refer to the templates.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { githubAnchors, repositoryUrl } from '../harness/docs';
import { repoRoot } from '../harness/paths';

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');
const manifest = JSON.parse(read('vss-extension.json'));
const readme = read('README.md');
const overview = read('overview.md');

/** The text of a `## Heading` section, up to the next `## `. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** Files under templates/, recursively, relative to the repository root. */
function templateFiles(dir = 'templates'): string[] {
  return fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? templateFiles(rel) : [rel];
  });
}

describe('first run: Marketplace listing', () => {
  const repo = repositoryUrl();

  it('links getstarted, support, license and repository, all in the repository the manifest names', () => {
    assert.equal(manifest.repository.type, 'git');
    assert.match(repo, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    for (const key of ['getstarted', 'support', 'license', 'repository']) {
      const uri: string | undefined = manifest.links?.[key]?.uri;
      assert.ok(uri, `links.${key} missing`);
      assert.ok(uri === repo || uri.startsWith(`${repo}/`) || uri.startsWith(`${repo}#`), `links.${key} (${uri}) is not in ${repo}`);
    }
    const anchors = githubAnchors(readme);
    for (const link of Object.values(manifest.links) as { uri: string }[]) {
      const anchor = /^[^#]+#(.+)$/.exec(link.uri)?.[1];
      if (anchor) assert.ok(anchors.has(anchor), `${link.uri}: README has no section #${anchor}`);
    }
  });

  it('has categories and tags', () => {
    assert.ok(manifest.categories.length > 0);
    for (const tag of ['Security', 'SBOM', 'Grype', 'Syft']) assert.ok(manifest.tags.includes(tag), `tags lack ${tag}`);
  });

  it('overview: what the tasks do, the three places results appear, install, the two-line quick start', () => {
    assert.match(overview, /\*\*GrypeScan@1\*\*/);
    assert.match(overview, /\*\*SyftSbom@1\*\*/);
    const results = section(overview, 'Where the results appear');
    for (const place of [/In the log/, /Extensions tab/, /Scans tab/, /SARIF SAST Scans Tab/]) assert.match(results, place);
    const install = section(overview, 'Install');
    for (const words of ['Manage extensions', 'refs/tags/v', 'grype.anchore.io', 'github.com', 'downloadBaseUrl', 'dbUpdateUrl', 'binaryPath']) {
      assert.ok(install.includes(words), `overview Install does not mention ${words}`);
    }
    const quick = section(overview, 'Quick start');
    const first = /```yaml\n([\s\S]*?)```/.exec(quick);
    assert.ok(first, 'no YAML in the quick start');
    assert.deepEqual(first[1].trim().split('\n').map((l) => l.trim()), ['steps:', '- task: SyftSbom@1', '- task: GrypeScan@1']);
  });

  it('overview and README show the screenshots in images/; the VSIX ships the overview’s and no others', () => {
    const addressable = manifest.files.filter((f: { path: string; addressable?: boolean }) => f.addressable).map((f: { path: string }) => f.path);
    const overviewPictures = [...overview.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    for (const picture of overviewPictures) assert.ok(addressable.includes(picture), `${picture} is not in files[] as addressable: the Marketplace page would not show it`);
    const shippedImages = manifest.files.map((f: { path: string }) => f.path).filter((p: string) => p.startsWith('images'));
    assert.deepEqual(shippedImages.sort(), [manifest.icons.default, ...overviewPictures].sort(), 'files[] ships exactly the icon and the overview’s pictures (the VSIX has a size budget)');
    for (const name of ['grype-warnings.png', 'grype-summary.png', 'syft-summary.png']) {
      assert.ok(fs.existsSync(path.join(repoRoot, 'images', name)), `images/${name} missing: run npm run render-summaries`);
      assert.ok(overview.includes(`](images/${name})`), `overview.md does not show images/${name}`);
      assert.ok(readme.includes(`](images/${name})`), `README.md does not show images/${name}`);
    }
    for (const m of [...overview.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g), ...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)]) {
      assert.ok(fs.existsSync(path.join(repoRoot, m[1])), `picture ${m[1]} does not exist`);
    }
  });
});

describe('first run: README Install', () => {
  const install = section(readme, 'Install');

  it('comes first under the intro', () => {
    assert.equal(/\n## (.+)\n/.exec(readme)?.[1], 'Install');
  });

  it('names the permissions, the Permit prompt and the publisher override', () => {
    for (const words of ['Manage extensions', 'Permit', 'Read', 'PUBLISHER=', 'Azure DevOps Server']) {
      assert.ok(install.includes(words), `Install does not mention ${words}`);
    }
  });

  it('names each host the agents reach with its air-gapped alternative', () => {
    const rows = install.split('\n').filter((l) => l.startsWith('| '));
    const row = (host: string) => rows.find((r) => r.includes(host)) ?? assert.fail(`Install has no row for ${host}`);
    for (const input of ['downloadBaseUrl', 'binaryPath']) assert.ok(row('`github.com`').includes(input));
    for (const input of ['dbUpdateUrl', 'dbCacheDirectory']) assert.ok(row('`grype.anchore.io`').includes(input));
    row('Dependency-Track');
  });

  it('states the minimumAgentVersion the task.json files declare', () => {
    for (const task of ['GrypeScan', 'SyftSbom']) {
      const { minimumAgentVersion } = JSON.parse(read(`tasks/${task}/task.json`));
      assert.ok(install.includes(`\`minimumAgentVersion\` **${minimumAgentVersion}**`), `Install does not state ${task}'s minimumAgentVersion ${minimumAgentVersion}`);
    }
  });
});

describe('first run: one way to refer to the templates', () => {
  const docs = ['README.md', 'overview.md', ...templateFiles()];
  const release = `refs/tags/v${manifest.version}`;

  it('every `<file>.yml@<alias>` is templates/<file>.yml@scanning, naming a template that exists', () => {
    let found = 0;
    for (const doc of docs) {
      for (const m of read(doc).matchAll(/([\w./-]+\.ya?ml)@(\w+)/g)) {
        found++;
        assert.equal(m[2], 'scanning', `${doc}: "${m[0]}" uses the alias ${m[2]}; the docs use @scanning`);
        assert.match(m[1], /^templates\/[\w-]+\.yml$/, `${doc}: "${m[0]}": write templates/<file>.yml@scanning`);
        assert.ok(fs.existsSync(path.join(repoRoot, m[1])), `${doc}: ${m[1]} does not exist`);
      }
    }
    assert.ok(found >= 3, `expected the template references in README, overview and the example, found ${found}`);
  });

  it(`every \`repository: scanning\` resource is pinned to this release's tag (${release})`, () => {
    let found = 0;
    for (const doc of docs) {
      const text = read(doc);
      for (const m of text.matchAll(/^[ \t]*- repository: scanning\b[^\n]*\n((?:[ \t]+\w+:[^\n]*\n)*)/gm)) {
        found++;
        assert.match(m[1], new RegExp(`^\\s+ref: ${release.replace(/\./g, '\\.')}\\s*$`, 'm'), `${doc}: the scanning resource is not pinned with ref: ${release}`);
      }
      for (const m of text.matchAll(/refs\/tags\/v\d+\.\d+\.\d+/g)) assert.equal(m[0], release, `${doc}: ${m[0]} is not this release's tag`);
    }
    assert.ok(found >= 2, `expected the repository resource in README's Install and Quick start, found ${found}`);
  });
});
