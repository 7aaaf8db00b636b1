// The summaries a user sees on the Extensions tab, rendered: the packaged tasks run on the
// real-tool world (the same runs scripts/render-summaries.mjs pictures), each summary they attach
// goes through the project's GFM renderer (scripts/summary-html.mjs), and the HTML must have the
// structure the summary promises: its headings, a table row per finding (or, in the "Fix first"
// table, per package) and no Markdown left unrendered in a cell. Written for the summary with and
// without the fix-first table (found by its heading).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { repoRoot } from '../harness/paths';
import { requireRealTools } from '../harness/realTools';
import { EXPECTED_DEBIAN, EXPECTED_NPM, ExpectedFinding } from '../harness/realWorld';
import { runSummaryScenarios, SummaryRun } from '../harness/summaryRuns';

interface SummaryHtml {
  renderMarkdown(markdown: string): string;
  summaryPage(markdown: string, sectionTitle: string): string;
  escapeHtml(text: string): string;
}
// scripts/summary-html.mjs is an ES module; TypeScript's CommonJS output would turn import() into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<SummaryHtml>;

const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();

interface Table {
  /** the text of the last heading before the table */
  heading: string;
  header: string[];
  rows: string[][];
  /** the cells' inner HTML, to tell rendered code spans from raw text */
  rowsHtml: string[][];
}

/** Headings (level, text) and tables (with the heading above each) of rendered Markdown. */
function structure(html: string): { headings: { level: number; text: string }[]; tables: Table[] } {
  const headings: { level: number; text: string }[] = [];
  const tables: Table[] = [];
  for (const m of html.matchAll(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>|<table>([\s\S]*?)<\/table>/g)) {
    if (m[1]) {
      headings.push({ level: Number(m[1]), text: decode(m[2]) });
      continue;
    }
    const rowHtml = [...m[3].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]));
    const [header = [], ...body] = rowHtml;
    tables.push({ heading: headings.at(-1)?.text ?? '', header: header.map(decode), rows: body.map((r) => r.map(decode)), rowsHtml: body });
  }
  return { headings, tables };
}

/** Markdown syntax that shows as text when a cell was escaped wrongly or not rendered. */
const RAW_MARKDOWN = [/\*\*/, /`/, /\]\(/, /(^|\s)#{1,6}\s/, /~~/, /<\/?\w+>/, /\\\|/];

function assertNoRawMarkdown(run: SummaryRun, tables: Table[]): void {
  for (const t of tables) {
    for (const row of t.rows) {
      for (const cell of row) {
        for (const marker of RAW_MARKDOWN) assert.ok(!marker.test(cell), `${run.name}: cell "${cell}" of table "${t.heading}" shows Markdown ${marker} as text`);
      }
    }
  }
}

describe('Summaries rendered as the Extensions tab shows them (real tools, built VSIX)', function () {
  this.timeout(600_000);
  let runs: SummaryRun[];
  let render: SummaryHtml;
  let world: string;

  before(async function () {
    const tools = requireRealTools(this);
    render = await importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'summary-html.mjs')).href);
    world = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-render-'));
    runs = await runSummaryScenarios(tools, world);
  });
  after(() => {
    if (world) fs.rmSync(world, { recursive: true, force: true });
  });

  const byName = (name: string) => runs.find((r) => r.name === name) ?? assert.fail(`no run ${name}`);

  it('every run attaches exactly one summary, its section titled on the page', () => {
    for (const r of runs) {
      assert.equal(r.summaries.length, 1, `${r.name}: ${r.summaries.length} summaries\n${r.run.stdout}`);
      const { title, markdown } = r.summaries[0];
      assert.ok(title.trim(), `${r.name}: the summary has no title`);
      assert.ok(render.summaryPage(markdown, title).includes(`<div class="section-title">${render.escapeHtml(title)}</div>`));
    }
  });

  for (const [name, expected] of [
    ['grype-summary', EXPECTED_NPM],
    ['grype-image-summary', EXPECTED_DEBIAN],
  ] as [string, ExpectedFinding[]][]) {
    it(`${name}: heading with the target, severity counts, and the findings table (fix-first: one row per package)`, () => {
      const r = byName(name);
      const html = render.renderMarkdown(r.summaries[0].markdown);
      const { headings, tables } = structure(html);
      assert.ok(headings[0]?.text.startsWith('Grype scan of') && headings[0].text.includes(r.target), `first heading: ${JSON.stringify(headings[0])}`);

      // Both layouts state the total ("5 findings, …" / "5 findings in 3 packages: …"); the table of counts per severity is optional.
      assert.ok(decode(html).includes(`${expected.length} findings`), `${name}: the summary does not say "${expected.length} findings"`);
      const counts = tables.find((t) => t.header[0] === 'Severity' && t.header[1] === 'Count');
      for (const severity of counts ? ['Critical', 'High', 'Medium', 'Low'] : []) {
        const row = counts!.rows.find((c) => c[0] === severity) ?? assert.fail(`${name}: no ${severity} row`);
        assert.equal(Number(row[1]), expected.filter((f) => f.severity === severity).length, `${name}: ${severity} count`);
      }

      const packages = [...new Set(expected.map((f) => f.package))];
      const fixFirst = tables.find((t) => /fix first/i.test(t.heading));
      if (fixFirst) {
        // One row per package, each package in exactly one row.
        assert.equal(fixFirst.rows.length, packages.length, `${name}: "${fixFirst.heading}" has ${fixFirst.rows.length} rows for ${packages.length} packages`);
        for (const p of packages) assert.equal(fixFirst.rows.filter((row) => row.some((c) => c.includes(p))).length, 1, `${name}: package ${p} in "${fixFirst.heading}"`);
      } else {
        const findings = tables.find((t) => t.header.includes('Vulnerability')) ?? assert.fail(`${name}: no findings table`);
        assert.equal(findings.rows.length, expected.length, `${name}: "${findings.heading}" rows`);
        for (const f of expected) {
          assert.ok(findings.rows.some((row) => row.includes(f.id) && row.some((c) => c.startsWith(f.package))), `${name}: no row for ${f.id} in ${f.package}`);
        }
      }
      assertNoRawMarkdown(r, tables);
    });
  }

  it('syft-summary: the SBOM heading, the components and a files table with a row per SBOM written', () => {
    const r = byName('syft-summary');
    const { headings, tables } = structure(render.renderMarkdown(r.summaries[0].markdown));
    const texts = headings.map((h) => h.text);
    assert.equal(texts[0], 'Syft SBOM');
    assert.ok(texts.some((t) => t.startsWith('Components')), `headings: ${texts.join(' | ')}`);
    const files = tables.find((t) => t.header[0] === 'File') ?? assert.fail('no files table');
    const written = r.run.variables.sbomFiles.split(',').map((f) => path.basename(f));
    assert.deepEqual(files.rows.map((row) => row[0]).sort(), written.sort());
    assertNoRawMarkdown(r, tables);
  });

  it('the raw-Markdown check sees Markdown that a cell failed to render', () => {
    const { tables } = structure(render.renderMarkdown('| a |\n| --- |\n| \\*\\*bold\\*\\* |\n| x \\`y\\` |\n'));
    assert.throws(() => assertNoRawMarkdown(byName('syft-summary'), tables.slice(0, 1)), /shows Markdown/);
  });
});
