import fs = require('fs');
import path = require('path');
import tl = require('azure-pipelines-task-lib/task');
import { logLine } from './text';

/**
 * Uploads files into a build artifact. Files one by one (not the whole folder) so that jobs of a
 * matrix, each with uniquely named files, add to the same artifact instead of clashing.
 */
export function publishFiles(artifactName: string | undefined, files: string[]): void {
  if (!artifactName) {
    tl.debug(`artifactName is none: not publishing ${files.length} file(s).`);
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
