/**
 * Rewrites `##vso[` so that untrusted text (scanner output, package names, descriptions,
 * server responses) can never be read by the agent as a logging command. The agent finds
 * the marker anywhere in a line, so every such string is neutralised before it is printed.
 * Same rewrite as task-lib's externalOutput filter, so the log looks the same either way.
 */
export function neutraliseCommands(text: string): string {
  return text.replace(/##vso\[/gi, '##_vso[');
}

/**
 * Prints one line of the task's own log. Task messages carry inputs (artifactName, paths, URLs),
 * file names and server or tool text, so every line goes through the neutraliser here: nothing a
 * task prints can become a logging command. Commands are issued only through task-lib.
 */
export function logLine(text: string): void {
  console.log(neutraliseCommands(text));
}

/** Collapses untrusted text to one neutralised line, e.g. for a warning message. */
export function oneLine(text: string, maxLength = 300): string {
  const flat = neutraliseCommands(text).replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

/** "12.3 MB" style sizes for logs and summaries. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** " Last stderr lines:\n  …" for failure messages, or '' when there were none. */
export function tailText(stderrTail: string[], count = 10): string {
  const lines = stderrTail.filter((l) => l.trim()).slice(-count);
  return lines.length ? ` Last stderr lines:\n  ${lines.join('\n  ')}` : '';
}

/** "it exited with code 3", or for a process killed by a signal (crash, OOM killer) what happened. */
export function describeExit(exitCode: number | null | undefined): string {
  return typeof exitCode === 'number' ? `it exited with code ${exitCode}` : 'it was killed by a signal before it finished (crash or out of memory)';
}
