import { UserError } from './errors';

/**
 * Splits `additionalArguments` like a POSIX shell would for words and quotes — 'single',
 * "double" with \" and \\ escapes, backslash outside quotes — but never runs a shell, so
 * `;`, `|`, `$(…)` and globs stay literal arguments. Pure.
 */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
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
    throw new UserError(
      `additionalArguments has an unclosed ${quote} quote: ${text}. Close the quote or remove it.`,
    );
  }
  if (inWord) args.push(current);
  return args;
}
