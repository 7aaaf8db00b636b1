#!/usr/bin/env node
// npm run render-summaries: the pictures in images/, made from real runs. Runs the packaged tasks on
// the real-tool world (tests/harness/summaryRuns.ts: the real grype and syft, a DB built by mkdb,
// loopback servers only), renders each summary the tasks attach with the project's GFM renderer
// (scripts/summary-html.mjs) as the run's Extensions tab shows it, renders the GrypeScan warnings as
// the pipeline log shows them, and screenshots each page with Chromium headless into images/*.png
// (re-encoded with a palette: they ship in the VSIX).
// The HTML and Markdown stay in out/summaries/ for a look in a browser.
//
// Prerequisites (this script installs nothing):
//   npm run package && npm run realtools     the VSIX, the compiled harness and the real tools (Go)
//   apt-get install -y chromium fonts-noto-color-emoji
//                                            Debian's Chromium (or set CHROMIUM=/path/to/chrome) and an
//                                            emoji font for the summaries' status icons
//
// Re-runnable: every run starts from an empty temp world and overwrites the pictures.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toPalettePng } from './png-palette.mjs';
import { logPage, summaryPage } from './summary-html.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const imagesDir = path.join(root, 'images');
const outDir = path.join(root, 'out', 'summaries');
const WIDTH = 1100;

function fail(message) {
  console.error(`render-summaries: ${message}`);
  process.exit(1);
}

function findChromium() {
  const candidates = process.env.CHROMIUM ? [process.env.CHROMIUM] : ['chromium', 'chromium-browser'];
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return c;
  }
  fail(`Chromium not found (${candidates.join(', ')}): install Debian's with \`apt-get install -y chromium\`, or set CHROMIUM to a Chrome/Chromium binary.`);
}

/** Chromium headless with no network, no profile and no background activity, in a fresh profile dir. */
function chromium(binary, args) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'render-chromium-'));
  try {
    const r = spawnSync(
      binary,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--hide-scrollbars', '--force-device-scale-factor=1', `--user-data-dir=${profile}`, ...args],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.error || r.status !== 0) fail(`chromium ${args.join(' ')} failed (${r.error?.message ?? `exit code ${r.status}`}): ${(r.stderr || '').trim().split('\n').slice(-5).join(' | ')}`);
    return r.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Screenshot of an HTML file, as wide and tall as its content (measured by the page's own script first). */
function screenshot(binary, htmlFile, pngFile) {
  const url = `file://${htmlFile}`;
  const dom = chromium(binary, [`--window-size=${WIDTH},800`, '--dump-dom', url]);
  const w = /data-width="(\d+)"/.exec(dom);
  const h = /data-height="(\d+)"/.exec(dom);
  if (!w || !h) fail(`${htmlFile}: the page did not report its size`);
  const width = Math.min(Math.max(WIDTH, Number(w[1])), 2400);
  const height = Math.min(Number(h[1]), 6000);
  fs.rmSync(pngFile, { force: true });
  chromium(binary, [`--window-size=${width},${height}`, `--screenshot=${pngFile}`, url]);
  if (!fs.existsSync(pngFile)) fail(`chromium wrote no ${pngFile}`);
  const screenshotBytes = fs.statSync(pngFile).size;
  fs.writeFileSync(pngFile, toPalettePng(fs.readFileSync(pngFile)));
  console.log(`${path.relative(root, pngFile)} ${width}×${height}, ${fs.statSync(pngFile).size} bytes (${screenshotBytes} as Chromium wrote it)`);
}

/**
 * The step's log as the agent shows it: plain lines as they are, logging commands hidden, except a
 * warning, which the agent prints as `##[warning]<message>`. Starts a few lines before the first warning.
 */
function logLines(run, parseVsoLine, splitLines) {
  const lines = [];
  for (const raw of splitLines(run.stdout)) {
    const command = parseVsoLine(raw);
    if (!command) lines.push({ number: lines.length + 1, text: raw, warning: false });
    else if (command.command === 'task.logissue' && command.properties.type === 'warning') lines.push({ number: lines.length + 1, text: command.message, warning: true });
  }
  const first = lines.findIndex((l) => l.warning);
  return first < 0 ? lines : lines.slice(Math.max(0, first - 6));
}

const harnessFile = path.join(root, 'build', 'tests', 'harness', 'summaryRuns.js');
if (!fs.existsSync(harnessFile)) fail(`${harnessFile} is missing: run \`npm run package\` first.`);
const { runSummaryScenarios } = require(harnessFile);
const { findRealTools } = require(path.join(root, 'build', 'tests', 'harness', 'realTools.js'));
const { parseVsoLine, splitLines } = require(path.join(root, 'build', 'tests', 'harness', 'vsix.js'));
const tools = findRealTools();
if (!tools) fail('the real grype and syft are not built: run `npm run realtools` (needs Go 1.26+).');
const binary = findChromium();

// A fixed name, so the targets the pictures show read the same on every run.
const world = path.join(os.tmpdir(), 'grype-syft-example');
fs.rmSync(world, { recursive: true, force: true });
fs.mkdirSync(world);
try {
  const runs = await runSummaryScenarios(tools, world);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const r of runs) {
    if (r.summaries.length !== 1) fail(`${r.name}: expected one summary from ${r.task}, got ${r.summaries.length}. Its log:\n${r.run.stdout}\n${r.run.stderr}`);
    const { title, markdown } = r.summaries[0];
    fs.writeFileSync(path.join(outDir, `${r.name}.md`), markdown);
    const html = path.join(outDir, `${r.name}.html`);
    fs.writeFileSync(html, summaryPage(markdown, title));
    screenshot(binary, html, path.join(imagesDir, `${r.name}.png`));
  }
  const grype = runs.find((r) => r.name === 'grype-summary');
  if (!grype.run.warnings.length) fail('the GrypeScan run raised no warnings to picture');
  const html = path.join(outDir, 'grype-warnings.html');
  // Titled like the step: the task's instanceNameFormat, `Grype scan $(target)`.
  fs.writeFileSync(html, logPage(`Grype scan ${grype.target}`, logLines(grype.run, parseVsoLine, splitLines)));
  screenshot(binary, html, path.join(imagesDir, 'grype-warnings.png'));
} finally {
  fs.rmSync(world, { recursive: true, force: true });
}
