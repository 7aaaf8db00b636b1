import { UserError } from './errors';

/**
 * Splits `additionalArguments` into words like a shell would — whitespace separates, 'single'
 * quotes keep everything literal, "double" quotes keep all but their escapes — but never runs a
 * shell, so `;`, `|`, `$(…)` and globs stay literal arguments. The backslash follows the agent's
 * platform:
 * - POSIX: as in sh — outside quotes it escapes the next character (`my\ dir`, `\*.log`);
 *   inside double quotes it escapes `"` and `\`.
 * - Windows: it escapes only a quote or whitespace (outside quotes: `my\ dir`, `it\'s`, `\"`;
 *   inside double quotes: `\"`) and is literal everywhere else, so paths (`C:\src\**`,
 *   `\\server\share`) survive as written; a path ending in a backslash goes in single quotes.
 * On both, backslash-newline joins lines (a multi-line YAML value).
 * Pure apart from the default platform.
 */
export function splitArguments(text: string, windows = process.platform === 'win32'): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const escapesOutside = windows ? (c: string) => c === '"' || c === "'" || /\s/.test(c) : () => true;
  const escapesInDouble = windows ? (c: string) => c === '"' || c === '\n' : (c: string) => c === '"' || c === '\\' || c === '\n';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && next !== undefined && escapesInDouble(next)) {
        i++;
        if (next !== '\n') current += next; // backslash-newline joins lines
      } else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && next !== undefined && escapesOutside(next)) {
      i++;
      if (next === '\n') continue; // backslash-newline joins lines
      current += next;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) {
    const hint = windows && quote === '"' && text.includes('\\"') ? ` A \\" is a literal quote: put a path ending in a backslash in single quotes, e.g. 'C:\\out\\'.` : '';
    throw new UserError(`additionalArguments has an unclosed ${quote} quote: ${text}. Close the quote or remove it.${hint}`);
  }
  if (inWord) args.push(current);
  return args;
}
