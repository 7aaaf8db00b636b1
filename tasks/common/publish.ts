import fs = require('fs');
import path = require('path');
import tl = require('azure-pipelines-task-lib/task');
import { logLine, neutraliseCommands } from './text';

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

/** The attachment type the agent's `task.uploadsummary` uses: shown as a section of the run's Extensions tab. */
const SUMMARY_ATTACHMENT_TYPE = 'Distributedtask.Core.Summary';

/**
 * Characters the agent refuses in an attachment name (`Path.GetInvalidFileNameChars()` of a
 * Windows agent, a superset of Linux's and macOS's), each replaced by a look-alike so the section
 * title reads as written: `Grype: registry:nginx:1.27` stays readable on every agent.
 */
const NAME_LOOKALIKES: Record<string, string> = { ':': '꞉', '/': '∕', '\\': '∖', '<': '‹', '>': '›', '|': '¦', '"': '″', '*': '∗', '?': '？' };
const MAX_ATTACHMENT_NAME = 120;

/** A summary title the agent accepts as an attachment name (the section title in the Extensions tab). PURE. */
export function attachmentName(title: string): string {
  const name = neutraliseCommands(title)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[:/\\<>|"*?]/g, (c) => NAME_LOOKALIKES[c])
    .trim();
  return name.length > MAX_ATTACHMENT_NAME ? `${name.slice(0, MAX_ATTACHMENT_NAME - 1)}…` : name;
}

/**
 * Writes the Markdown summary next to the reports and attaches it to the run: a section of the
 * run's Extensions tab titled `title` (task.addattachment with a name), or the file name when
 * there is no title (task.uploadsummary).
 */
export function publishSummary(outputDirectory: string, fileName: string, markdown: string, title?: string): string {
  const file = path.join(outputDirectory, fileName);
  fs.writeFileSync(file, markdown, 'utf8');
  if (title) tl.addAttachment(SUMMARY_ATTACHMENT_TYPE, attachmentName(title), file);
  else tl.uploadSummary(file);
  return file;
}
