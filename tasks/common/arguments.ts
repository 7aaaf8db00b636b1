import { UserError } from './errors';

/**
 * Splits `additionalArguments` into words like a shell would — whitespace separates, 'single'
 * quotes keep everything literal, "double" quotes keep everything but \" literal — but never runs
 * a shell, so `;`, `|`, `$(…)` and globs stay literal arguments. Unlike a POSIX shell, a backslash
 * escapes only a quote or whitespace (outside quotes: `my\ dir`, `it\'s`, `\"`; inside double
 * quotes: `\"`) and is literal everywhere else, so Windows paths (`C:\src\**`, `\\server\share`)
 * survive as written. A path ending in a backslash before a quote or space goes in single quotes:
 * `'C:\out\'`. Pure.
 */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && next === '"') current += text[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && (next === '"' || next === "'" || /\s/.test(next ?? ''))) {
      current += text[++i];
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
    const hint = quote === '"' && text.includes('\\"') ? ` A \\" is a literal quote: put a path ending in a backslash in single quotes, e.g. 'C:\\out\\'.` : '';
    throw new UserError(`additionalArguments has an unclosed ${quote} quote: ${text}. Close the quote or remove it.${hint}`);
  }
  if (inWord) args.push(current);
  return args;
}
