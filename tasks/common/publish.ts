import fs = require('fs');
import path = require('path');
import tl = require('azure-pipelines-task-lib/task');
import { logLine } from './text';

/**
 * Whether this job can publish build artifacts and tag its run. Only a build can: in a classic
 * release or deployment job (System.HostType release/deployment) the agent rejects
 * artifact.upload (ArtifactCommandExtension: "not supported" outside a build) and build.addbuildtag
 * has no build of its own, and a rejected command fails the step. Outside an agent, as a build.
 */
export function inBuildJob(): boolean {
  const host = tl.getVariable('System.HostType');
  return !host || host.toLowerCase() === 'build';
}

/**
 * The build artifact to publish into: `artifactName`, or none outside a build, saying once where
 * the files stay instead (the summary is attached either way).
 */
export function artifactForThisJob(artifactName: string | undefined, outputDirectory: string): string | undefined {
  if (!artifactName || inBuildJob()) return artifactName;
  logLine(
    `This is a ${tl.getVariable('System.HostType')} job, and build artifacts exist only in builds: the files stay in ${outputDirectory} ` +
      `(artifactName '${artifactName}' is not used). The summary is still attached to the run.`,
  );
  return undefined;
}

/**
 * Uploads files into a build artifact. Files one by one (not the whole folder) so that jobs of a
 * matrix, each with uniquely named files, add to the same artifact instead of clashing.
 */
export function publishFiles(artifactName: string | undefined, files: string[]): void {
  if (!artifactName) {
    tl.debug(`No build artifact: not publishing ${files.length} file(s).`);
    return;
  }
  for (const file of files) {
    tl.uploadArtifact(artifactName, path.resolve(file), artifactName);
  }
  logLine(`Publishing ${files.length} file(s) to build artifact '${artifactName}'.`);
}

/** Writes the Markdown summary next to the reports and attaches it to the run (Extensions tab). */
export function publishSummary(outputDirectory: string, fileName: string, markdown: string): string {
  const file = path.join(outputDirectory, fileName);
  fs.writeFileSync(file, markdown, 'utf8');
  tl.uploadSummary(file);
  return file;
}
