// Builds SyftSbom's SBOM-processing modules the way the packaged task is built (one esbuild bundle,
// with the runtime assets of the task's build hooks beside it) into a temp folder, for the bench
// (bench/syftSbom.ts), which measures the bundled code.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { repoRoot } from '../harness/paths';

export type SyftModules = typeof import('../../tasks/SyftSbom/sbomProcessing') &
  typeof import('../../tasks/SyftSbom/validation') &
  typeof import('../../tasks/SyftSbom/provenance');

// tsc (module: commonjs) would turn import() into require(), which cannot load .mjs.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

let built: Promise<{ dir: string; modules: SyftModules }> | undefined;

/** The bundle (built once per test process) and the folder it lives in (with its assets/). */
export function syftTestBundle(): Promise<{ dir: string; modules: SyftModules }> {
  built ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syft-bundle-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const esbuild = await import('esbuild');
    const hooks = await dynamicImport(pathToFileURL(path.join(repoRoot, 'tasks', 'SyftSbom', 'build.hooks.mjs')).href);
    await esbuild.build({
      stdin: {
        contents: "export * from './sbomProcessing'; export * from './validation'; export * from './provenance';",
        resolveDir: path.join(repoRoot, 'tasks', 'SyftSbom'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: path.join(dir, 'index.js'),
      external: ['xmlbuilder2', 'libxmljs2', 'packageurl-js', 'spdx-expression-parse'],
      logLevel: 'error',
    });
    await hooks.writeAssets(dir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { dir, modules: require(path.join(dir, 'index.js')) as SyftModules };
  })();
  return built;
}
