// The one GFM renderer of this project (marked, GitHub Flavored Markdown): turns a task's Markdown
// summary into HTML as the run's Extensions tab shows it, and the warnings a task logs into a page
// styled like the pipeline log. scripts/render-summaries.mjs screenshots these pages for images/;
// tests/blackbox/summaryRender.test.ts checks the structure of the same HTML.
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** HTML of one Markdown document, as GitHub Flavored Markdown. */
export function renderMarkdown(markdown) {
  return marked.parse(markdown);
}

/** Text made safe to place in HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// Writes the page's full size into <html data-width data-height>, so the screenshot can be sized to it.
const MEASURE =
  '<script>const e = document.documentElement; e.dataset.width = String(e.scrollWidth); e.dataset.height = String(Math.ceil(e.getBoundingClientRect().height));</script>';

const TAB_CSS = `
  body { margin: 0; background: #f8f8f8; font: 14px/1.5 "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif; color: #201f1e; }
  .tabs { display: flex; gap: 24px; padding: 0 24px; background: #fff; border-bottom: 1px solid #e1dfdd; }
  .tabs span { padding: 12px 0; color: #605e5c; }
  .tabs span.selected { color: #201f1e; font-weight: 600; border-bottom: 2px solid #0078d4; }
  .section { display: inline-block; box-sizing: border-box; min-width: calc(100% - 48px); margin: 16px 24px; background: #fff; border-radius: 4px; box-shadow: 0 1px 3px rgba(0,0,0,.13); }
  .section-title { padding: 12px 16px; font-weight: 600; border-bottom: 1px solid #edebe9; }
  .section-title::before { content: "\\2304"; display: inline-block; margin-right: 8px; color: #605e5c; }
  .markdown { padding: 4px 16px 12px; }
  .markdown h3 { font-size: 18px; margin: 12px 0 8px; }
  .markdown h4 { font-size: 15px; margin: 16px 0 6px; }
  .markdown table { border-collapse: collapse; margin: 8px 0; }
  .markdown th, .markdown td { border: 1px solid #e1dfdd; padding: 4px 10px; text-align: left; vertical-align: top; }
  .markdown th { background: #f3f2f1; font-weight: 600; }
  .markdown code { font-family: "Cascadia Mono", "DejaVu Sans Mono", monospace; font-size: 12.5px; background: #f3f2f1; padding: 1px 4px; border-radius: 3px; }
  .markdown blockquote { margin: 8px 0; padding: 4px 12px; border-left: 3px solid #c8c6c4; color: #484644; }
  .markdown a { color: #0078d4; text-decoration: none; }
`;

/**
 * A page like the run's Extensions tab with one summary section: the agent titles the section
 * with the summary file's name.
 */
export function summaryPage(markdown, sectionTitle) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(sectionTitle)}</title><style>${TAB_CSS}</style></head>
<body>
<div class="tabs"><span>Summary</span><span>Tests</span><span class="selected">Extensions</span><span>Scans</span></div>
<div class="section"><div class="section-title">${escapeHtml(sectionTitle)}</div>
<div class="markdown">${renderMarkdown(markdown)}</div></div>
${MEASURE}
</body></html>
`;
}

const LOG_CSS = `
  body { margin: 0; background: #1e1e1e; color: #d4d4d4; font: 13px/1.6 "Cascadia Mono", "DejaVu Sans Mono", monospace; }
  .step { padding: 10px 16px; background: #252526; color: #ccc; font: 600 14px "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif; border-bottom: 1px solid #333; }
  .log { padding: 8px 0; }
  .line { display: flex; white-space: pre-wrap; word-break: break-word; padding: 0 16px; }
  .line .n { flex: 0 0 40px; color: #6e7681; text-align: right; margin-right: 16px; user-select: none; }
  .line.warning { color: #f2c94c; }
  .line.warning .prefix { font-weight: 700; }
`;

/**
 * A page like the pipeline log of one step: its plain lines and its warnings, as the agent writes
 * a `##vso[task.logissue type=warning]` into the log (`##[warning]<message>`). `lines`:
 * `{ number, text, warning }`, numbered as in the step's log.
 */
export function logPage(stepTitle, lines) {
  const body = lines
    .map((l) => {
      const n = `<span class="n">${l.number}</span>`;
      if (l.warning) return `<div class="line warning">${n}<span><span class="prefix">##[warning]</span>${escapeHtml(l.text)}</span></div>`;
      return `<div class="line">${n}<span>${escapeHtml(l.text)}</span></div>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(stepTitle)}</title><style>${LOG_CSS}</style></head>
<body>
<div class="step">${escapeHtml(stepTitle)}</div>
<div class="log">
${body}
</div>
${MEASURE}
</body></html>
`;
}
