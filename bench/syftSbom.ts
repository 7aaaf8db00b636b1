// SyftSbom: a ≥ 100 MB CycloneDX JSON (synthesised from the golden Syft SBOM) through the shipped
// provenance + validation path (esbuild bundle with the task's build hooks), against
// JSON.parse + JSON.stringify of the same file. Each side runs in its own child process so each
// peak RSS is its own. Targets: time ≤ 2× the baseline, peak RSS ≤ 4× the file size.
//
// Then a CycloneDX JSON of 250,000 small components (some nested), the case that once overflowed
// the stack: time and peak RSS of the same path.
//
//   node build/bench/syftSbom.js [sizeMB]     (default 100)
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeManyComponentsSbom } from '../tests/harness/cycloneDx';
import { GOLDEN, golden } from '../tests/harness/golden';

const FIXTURE = golden(GOLDEN.syftDirCycloneDxJson);
/** The fixture's CycloneDX version (Syft's default), which the synthesised document keeps. */
const SPEC_VERSION: string = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')).specVersion;

interface SideResult {
  side: 'ours' | 'ours-warm' | 'baseline';
  ms: number;
  maxRssBytes: number;
  valid?: boolean;
  components?: number;
}

/** Writes a CycloneDX JSON (the spec version Syft writes by default) of at least `bytes` by repeating the fixture's components with unique bom-refs. */
export function synthesise(file: string, bytes: number): { bytes: number; components: number } {
  const doc = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  const components: Record<string, unknown>[] = doc.components;
  const refs: string[] = [];
  const fd = fs.openSync(file, 'w');
  const head = { ...doc, components: undefined, dependencies: undefined };
  const headText = JSON.stringify(head, null, 2);
  fs.writeSync(fd, `${headText.slice(0, headText.lastIndexOf('}')).trimEnd()},\n  "components": [`);
  let written = headText.length;
  let count = 0;
  for (let round = 0; written < bytes; round++) {
    for (const c of components) {
      const copy: Record<string, unknown> = { ...c, 'bom-ref': `${String(c['bom-ref'])}-r${round}`, version: `${String(c.version ?? '0')}.${round}` };
      if (typeof copy.purl === 'string') copy.purl = `${copy.purl}-r${round}`;
      refs.push(copy['bom-ref'] as string);
      const text = `${count ? ',' : ''}\n    ${JSON.stringify(copy, null, 2).replace(/\n/g, '\n    ')}`;
      fs.writeSync(fd, text);
      written += Buffer.byteLength(text);
      count++;
    }
  }
  fs.writeSync(fd, '\n  ],\n  "dependencies": [');
  const root = doc.metadata?.component?.['bom-ref'];
  fs.writeSync(fd, `\n    ${JSON.stringify({ ref: root, dependsOn: refs.slice(0, 1000) })}`);
  fs.writeSync(fd, '\n  ]\n}\n');
  fs.closeSync(fd);
  return { bytes: fs.statSync(file).size, components: count };
}

/** The component count of the many-small-components case. */
const MANY_COMPONENTS = 250_000;

async function child(side: string, file: string, bundleDir: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = side === 'baseline' ? undefined : (require(path.join(bundleDir, 'index.js')) as import('../tests/unit/syftTestBundle').SyftModules);
  // 'ours-warm': the schema compiled beforehand, as the task does while Syft runs.
  if (m && side === 'ours-warm') await m.prepareJsonValidator(SPEC_VERSION);
  const started = process.hrtime.bigint();
  const result: SideResult = { side: side as SideResult['side'], ms: 0, maxRssBytes: 0 };
  if (side === 'baseline') {
    const text = fs.readFileSync(file, 'utf8');
    const doc = JSON.parse(text);
    const out = JSON.stringify(doc, null, 2);
    if (!out.length) throw new Error('empty');
  } else if (m) {
    const format = { name: 'cyclonedx-json', kind: 'cyclonedx-json' as const, extension: '.cdx.json' };
    const processed = await m.processSbom(format, file, {
      provenance: m.provenanceProperties({ BUILD_DEFINITIONNAME: 'bench', BUILD_BUILDID: '1', BUILD_SOURCEVERSION: 'abc', AGENT_OS: 'Linux' }),
      validate: true,
      count: true,
      keepContent: false,
    });
    result.valid = processed.validation?.valid;
    result.components = processed.counts?.total;
    if (!processed.validation?.valid) console.error(processed.validation?.errors.slice(0, 3));
  }
  result.ms = Number(process.hrtime.bigint() - started) / 1e6;
  result.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.send!(result);
}

function runSide(side: string, file: string, bundleDir: string): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    const p = fork(__filename, ['--child', side, file, bundleDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: SideResult | undefined;
    p.on('message', (m) => (result = m as SideResult));
    p.on('error', reject);
    p.on('exit', (code) => (result ? resolve(result) : reject(new Error(`${side} child exited with ${code}`))));
  });
}

export async function run(sizeMb = Number(process.env.SYFT_BENCH_MB) || 100): Promise<void> {
  const { syftTestBundle } = await import('../tests/unit/syftTestBundle');
  const { dir: bundleDir } = await syftTestBundle();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'syft-bench-'));
  try {
    const source = path.join(work, 'big.cdx.json');
    const synth = synthesise(source, sizeMb * 1024 * 1024);
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(`synthesised CycloneDX ${SPEC_VERSION} JSON: ${synth.bytes} bytes (${mb(synth.bytes)}), ${synth.components} components, from ${path.basename(FIXTURE)}`);
    const copy = path.join(work, 'ours.cdx.json');
    fs.copyFileSync(source, copy);
    const baseline = await runSide('baseline', source, bundleDir);
    const ours = await runSide('ours', copy, bundleDir);
    fs.copyFileSync(source, copy);
    const warm = await runSide('ours-warm', copy, bundleDir);
    console.log(`baseline        read + JSON.parse + JSON.stringify:               ${baseline.ms.toFixed(0)} ms, peak RSS ${mb(baseline.maxRssBytes)}`);
    console.log(`syftsbom (cold) read + provenance + validation + write + sha256:  ${ours.ms.toFixed(0)} ms, peak RSS ${mb(ours.maxRssBytes)} (valid=${ours.valid}, ${ours.components} components; includes compiling the schema)`);
    console.log(`syftsbom (warm) same, schema compiled while Syft runs (the task):  ${warm.ms.toFixed(0)} ms, peak RSS ${mb(warm.maxRssBytes)} (valid=${warm.valid})`);
    for (const [label, r] of [['cold', ours], ['warm', warm]] as const) {
      const timeRatio = r.ms / baseline.ms;
      const rssRatio = r.maxRssBytes / synth.bytes;
      console.log(
        `${label}: time ${timeRatio.toFixed(2)}× baseline (target ≤ 2×)${timeRatio > 2 ? ' ** OVER TARGET **' : ''}; ` +
          `peak RSS ${rssRatio.toFixed(2)}× file size (target ≤ 4×)${rssRatio > 4 ? ' ** OVER TARGET **' : ''}`,
      );
    }
    console.log(`baseline peak RSS ${(baseline.maxRssBytes / synth.bytes).toFixed(2)}× file size`);

    const many = path.join(work, 'many.cdx.json');
    const manyBytes = writeManyComponentsSbom(many, MANY_COMPONENTS);
    const manyRun = await runSide('ours-warm', many, bundleDir);
    console.log(
      `${MANY_COMPONENTS} components (${mb(manyBytes)}): ${manyRun.ms.toFixed(0)} ms, peak RSS ${mb(manyRun.maxRssBytes)} = ${(manyRun.maxRssBytes / manyBytes).toFixed(2)}× file size ` +
        `(valid=${manyRun.valid}, ${manyRun.components} components counted)${manyRun.components !== MANY_COMPONENTS ? ' ** WRONG COUNT **' : ''}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  if (process.argv[2] === '--child') {
    child(process.argv[3], process.argv[4], process.argv[5]).catch((e) => {
      console.error(e);
      process.exit(1);
    });
  } else {
    run(Number(process.argv[2]) || undefined).catch((e) => {
      console.error(e);
      process.exit(1);
    });
  }
}
