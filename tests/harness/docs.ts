// The project's documents as GitHub shows them: heading anchors and the repository address.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

/** The anchors GitHub gives a Markdown file's headings (`## Air-gapped agents` → `air-gapped-agents`; repeats get `-1`, `-2`). */
export function githubAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
  for (const m of withoutCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const slug = text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n ? `${slug}-${n}` : slug);
  }
  return anchors;
}

/** The repository address vss-extension.json declares: every link to the documentation starts with it. */
export function repositoryUrl(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'vss-extension.json'), 'utf8'));
  return manifest.repository.uri;
}
