import { neutraliseCommands } from './text';

/**
 * Escapes untrusted text for Markdown (a table cell or a line): no emphasis, code, pipes, line
 * breaks, raw HTML, or links: `[…](…)` is escaped and bare URLs are broken up so the renderer
 * does not turn them into links.
 */
export function cell(text: string | number | undefined): string {
  if (text === undefined || text === '') return '';
  return neutraliseCommands(String(text))
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/([|[\]_*~`])/g, '\\$1')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // Autolinks: `scheme://` and `www.` (the renderer links them even without brackets).
    .replace(/([a-z][a-z0-9+.-]*):(?=\/\/)/gi, '$1&#58;')
    .replace(/\bwww\./gi, 'www&#46;')
    .replace(/[\r\n]+/g, ' ')
    .trim();
}

/** A Markdown table; every value goes through `cell`. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const lines = [`| ${headers.map(cell).join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** A text bar proportional to value/max, e.g. `█████░░░░░` — readable in the summary at a glance. */
export function bar(value: number, max: number, width = 20): string {
  if (max <= 0) return '░'.repeat(width);
  // Any non-zero value shows at least one block, so small counts are not invisible.
  const filled = value === 0 ? 0 : Math.max(1, Math.round((value / max) * width));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** Inline code that cannot be broken out of by backticks in the value. */
export function code(text: string): string {
  const safe = neutraliseCommands(text).replace(/[\r\n]+/g, ' ');
  const fence = safe.includes('`') ? '``' : '`';
  return `${fence}${safe}${fence}`;
}
