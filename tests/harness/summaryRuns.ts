// Runs the packaged tasks once each on the real-tool world (tests/harness/realWorld.ts) the way a
// first pipeline would, and collects what a user then sees: the Markdown summaries the tasks attach
// (`##vso[task.uploadsummary]`) and the warnings they log. Shared by the summary render test and
// scripts/render-summaries.mjs (the screenshots in images/), so both show the same runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { addRealRelease, buildDb, RealTools, runTool, startDbServer } from './realTools';
import { writeDebianRootfs, writeNpmProject, writeRecords } from './realWorld';
import { startReleaseServer } from './releaseServer';
import { runTask, TaskName, TaskRun } from './vsix';

export interface SummaryRun {
  /** short name of the scenario, also the stem of its screenshot */
  name: string;
  task: TaskName;
  target: string;
  run: TaskRun;
  /** the summaries the run attached, with their Markdown (read before the run's folder goes) */
  summaries: AttachedSummary[];
}

export interface AttachedSummary {
  file: string;
  /** the section title on the Extensions tab: the attachment's name, or the file name (uploadsummary) */
  title: string;
  markdown: string;
}

/** The summaries a run attached to the pipeline run (the agent reads them from these paths). */
export function attachedSummaries(run: TaskRun): AttachedSummary[] {
  return run.commands
    .filter((c) => c.command === 'task.uploadsummary' || (c.command === 'task.addattachment' && c.properties.type === 'Distributedtask.Core.Summary'))
    .map((c) => {
      const file = c.message.trim();
      return { file, title: (c.command === 'task.addattachment' && c.properties.name) || path.basename(file), markdown: fs.readFileSync(file, 'utf8') };
    });
}

/**
 * Runs GrypeScan on a directory with a package-lock.json and on a Debian docker-archive image, and
 * SyftSbom on the directory, each installing the real tool from a loopback release server (Grype's
 * DB from a loopback DB host). `world` is an empty folder for the records, DB, targets and tools.
 */
export async function runSummaryScenarios(tools: RealTools, world: string): Promise<SummaryRun[]> {
  const records = path.join(world, 'records');
  writeRecords(records);
  const db = await buildDb(tools, records, path.join(world, 'db'), new Date(Date.now() - 3_600_000));
  const dbServer = await startDbServer(db);
  const release = await startReleaseServer();
  try {
    await addRealRelease(release, 'grype', PINNED_VERSIONS.grype, tools.grype);
    await addRealRelease(release, 'syft', PINNED_VERSIONS.syft, tools.syft);
    const project = path.join(world, 'project');
    writeNpmProject(project);
    const rootfs = path.join(world, 'rootfs');
    writeDebianRootfs(rootfs);
    const image = path.join(world, 'debian.tar');
    await runTool(tools.mkimage, ['-rootfs', rootfs, '-ref', 'realtools/debian:12', '-docker-archive', image]);
    const env = { AGENT_TOOLSDIRECTORY: path.join(world, 'tools') };
    const grypeInputs = { downloadBaseUrl: release.downloadBase('grype'), dbUpdateUrl: dbServer.url, dbCacheDirectory: path.join(world, 'dbcache') };

    const scenarios: { name: string; task: TaskName; target: string; inputs: Record<string, string> }[] = [
      { name: 'grype-summary', task: 'GrypeScan', target: `dir:${project}`, inputs: { ...grypeInputs, warnOnSeverity: 'high', failOnSeverity: 'none' } },
      { name: 'grype-image-summary', task: 'GrypeScan', target: `docker-archive:${image}`, inputs: { ...grypeInputs, warnOnSeverity: 'high', failOnSeverity: 'critical' } },
      { name: 'syft-summary', task: 'SyftSbom', target: `dir:${project}`, inputs: { downloadBaseUrl: release.downloadBase('syft'), outputFormats: 'cyclonedx-json,spdx-json' } },
    ];
    const runs: SummaryRun[] = [];
    // One after the other: the Grype runs share the DB cache, as jobs on one agent would.
    for (const s of scenarios) {
      const run = await runTask(s.task, { timeoutMs: 180_000, inputs: { target: s.target, ...s.inputs }, env });
      runs.push({ name: s.name, task: s.task, target: s.target, run, summaries: attachedSummaries(run) });
    }
    return runs;
  } finally {
    await dbServer.close();
    await release.close();
  }
}
