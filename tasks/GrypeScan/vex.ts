import fs = require('fs');
import path = require('path');
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from '../common/errors';
import { unexpandedMacro } from '../common/inputs';

/**
 * vexDocuments: OpenVEX files passed to Grype as `--vex`. Grype applies them itself and moves the
 * matches they declare not_affected (or fixed) into `ignoredMatches` with a rule in namespace `vex`.
 */

/** Paths or globs, comma- or newline-separated, blanks dropped. PURE. */
export function splitVexPatterns(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(/[,\r\n]+/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * Every pattern must match at least one file (relative ones from the sources directory):
 * a VEX document that silently goes missing would turn suppressed findings back on, or worse,
 * a typo would look like a scan with nothing to suppress.
 */
export function findVexDocuments(patterns: readonly string[], sourcesDirectory: string | undefined): string[] {
  const root = sourcesDirectory ?? process.cwd();
  const files: string[] = [];
  for (const pattern of patterns) {
    const macro = unexpandedMacro(pattern);
    if (macro) throw new UserError(`Input vexDocuments '${pattern}' uses ${macro}, which this pipeline does not define. Define that variable, or change the entry.`);
    const found = tl.findMatch(root, pattern).filter((f) => fs.statSync(f).isFile());
    if (!found.length) {
      throw new UserError(`Input vexDocuments: '${pattern}' matches no file (relative paths and globs are looked up from ${root}). Fix the path or pattern, or remove it from vexDocuments.`);
    }
    for (const f of found) if (!files.includes(path.resolve(f))) files.push(path.resolve(f));
  }
  return files;
}
