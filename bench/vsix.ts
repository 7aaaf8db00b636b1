// VSIX size budget: prints the packaged VSIX size and each task bundle's size against the 1 MB target.
// Run after `npm run package`: node build/bench/vsix.js
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listZip, vsixPath } from '../tests/harness/vsix';

export const VSIX_BUDGET_BYTES = 1_048_576;

export interface VsixBenchResult {
  vsix: string;
  vsixBytes: number;
  ratio: number;
  tasks: { task: string; bundleBytes: number; compressedBytes: number }[];
}

export async function run(): Promise<VsixBenchResult> {
  const vsix = vsixPath();
  const buf = fs.readFileSync(vsix);
  const entries = listZip(buf);
  const tasks = entries
    .filter((e) => /^tasks\/[^/]+\/index\.js$/.test(e.name))
    .map((e) => ({ task: e.name.split('/')[1], bundleBytes: e.size, compressedBytes: e.compressedSize }))
    .sort((a, b) => a.task.localeCompare(b.task));
  const result: VsixBenchResult = { vsix, vsixBytes: buf.length, ratio: buf.length / VSIX_BUDGET_BYTES, tasks };

  const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
  console.log(`vsix ${path.basename(vsix)}: ${result.vsixBytes} bytes = ${pct(result.ratio)} of the ${VSIX_BUDGET_BYTES}-byte (1 MB) target${result.ratio > 1 ? '  ** OVER BUDGET **' : ''}`);
  for (const t of tasks) {
    console.log(`  ${t.task}/index.js: ${t.bundleBytes} bytes (${t.compressedBytes} compressed in the vsix) = ${pct(t.bundleBytes / VSIX_BUDGET_BYTES)} of the target`);
  }
  return result;
}

if (require.main === module) {
  run().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
