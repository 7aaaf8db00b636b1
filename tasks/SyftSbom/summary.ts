import path = require('path');
import { bar, code, table } from '../common/markdown';
import { formatBytes } from '../common/text';
import { ProcessedSbom } from './sbomProcessing';

export interface DependencyTrackSummary {
  url: string;
  project: string;
  version: string;
  token?: string;
  error?: string;
  /** Why the SBOM was not uploaded. */
  skipped?: string;
}

export interface SummaryInput {
  target: string;
  syftVersion: string;
  sboms: ProcessedSbom[];
  /** The SBOM the components are counted in: the first output that is not a text format. */
  counted?: ProcessedSbom;
  artifactName?: string;
  dependencyTrack?: DependencyTrackSummary;
}

function validationText(sbom: ProcessedSbom): string {
  const v = sbom.validation;
  if (!v) return sbom.format.kind.startsWith('cyclonedx') ? 'not validated' : 'n/a';
  if (!v.checked) return `⚠️ could not be validated: ${v.note ?? ''}`;
  return v.valid ? '✅ valid' : `❌ ${v.errorCount} schema error(s)`;
}

/** The Markdown summary tab: formats, component counts by type, files, sizes, SHA-256, Dependency-Track. Pure. */
export function renderSummary(input: SummaryInput): string {
  const lines: string[] = ['# Syft SBOM', ''];
  lines.push(`Target ${code(input.target)} · Syft ${code(input.syftVersion || 'unknown')} · formats ${input.sboms.map((s) => code(s.format.version ? `${s.format.name}@${s.format.version}` : s.format.name)).join(', ')}`);
  lines.push('');
  const counts = input.counted?.counts;
  if (input.counted && counts) {
    lines.push(`## Components (${path.basename(input.counted.file)})`, '');
    const types = Object.entries(counts.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const max = types.length ? types[0][1] : 0;
    lines.push(`**${counts.total}** component(s).`, '');
    if (types.length) lines.push(table(['Type', 'Count', ''], types.map(([type, n]) => [type, n, bar(n, max)])), '');
  } else {
    lines.push('## Components', '', 'None of the outputs is an SBOM (only text formats), so no components are counted.', '');
  }
  lines.push('## Files', '');
  lines.push(
    table(
      ['File', 'Format', 'Spec', 'Size', 'SHA-256', 'Validation', 'Provenance'],
      input.sboms.map((s) => [
        path.basename(s.file),
        s.format.name,
        s.specVersion ?? '',
        formatBytes(s.bytes),
        s.sha256,
        validationText(s),
        s.provenance ? (s.provenance.added ? `${s.provenance.added} properties added` : `skipped: ${s.provenance.skipped ?? ''}`) : '',
      ]),
    ),
    '',
  );
  lines.push(input.artifactName ? `Published to build artifact ${code(input.artifactName)}.` : 'Not published as a build artifact (artifactName is none, or this job is not a build).', '');
  const invalid = input.sboms.filter((s) => s.validation?.checked && !s.validation.valid);
  for (const s of invalid) {
    lines.push(`### Schema errors in ${path.basename(s.file)}`, '');
    for (const e of s.validation!.errors) lines.push(`- ${code(e)}`);
    if (s.validation!.errorCount > s.validation!.errors.length) lines.push(`- … and ${s.validation!.errorCount - s.validation!.errors.length} more`);
    lines.push('');
  }
  const dt = input.dependencyTrack;
  if (dt) {
    lines.push('## Dependency-Track', '');
    lines.push(
      table(
        ['Server', 'Project', 'Version', 'Result'],
        [[dt.url, dt.project, dt.version, dt.error ? `failed: ${dt.error}` : dt.skipped ? `not uploaded: ${dt.skipped}` : `uploaded, token ${dt.token}`]],
      ),
      '',
    );
  }
  return lines.join('\n');
}
