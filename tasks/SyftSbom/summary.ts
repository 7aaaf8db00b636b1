import path = require('path');
import { bar, code, table } from '../common/markdown';
import { Analysis, gateCounts, sortViolations } from './dependencyTrackGate';
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
  /** the frontend's address, for the link to the project */
  frontendUrl?: string;
  /** what Dependency-Track found, after a wait */
  analysis?: Analysis;
}

/** Violations listed in the summary; the rest are counted. */
const VIOLATION_ROWS = 25;

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
    lines.push(`**${counts.packages}** package(s) in **${counts.total}** component(s).`, '');
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
        [[dt.url, dt.project, dt.version, resultText(dt)]],
      ),
      '',
    );
    if (dt.analysis) for (const line of analysisSection(dt.analysis, dt.frontendUrl)) lines.push(line);
  }
  return lines.join('\n');
}

function resultText(dt: DependencyTrackSummary): string {
  if (dt.skipped) return `not uploaded: ${dt.skipped}`;
  if (dt.error) return dt.token ? `uploaded, token ${dt.token}; the wait failed: ${dt.error}` : `failed: ${dt.error}`;
  return dt.analysis ? `uploaded, token ${dt.token}; analysed in ${Math.round(dt.analysis.waitedMs / 1000)} s` : `uploaded, token ${dt.token}`;
}

/** Counts, violations (capped) and the project link after a wait. Pure. */
function analysisSection(analysis: Analysis, frontendUrl: string | undefined): string[] {
  const counts = gateCounts(analysis);
  const lines: string[] = [];
  const uuid = analysis.project.uuid;
  // The UUID was checked to be one, so the link cannot carry Markdown.
  lines.push(frontendUrl ? `Project: [${uuid}](${encodeURI(`${frontendUrl}/projects/${uuid}`)})` : `Project UUID ${code(uuid)} (set dependencyTrackFrontendUrl, or the connection's frontend URL, for a link).`, '');
  const severities: [string, number][] = [
    ['Critical', counts.critical],
    ['High', counts.high],
    ['Medium', counts.medium],
    ['Low', counts.low],
    ['Unassigned', counts.unassigned],
  ];
  const max = Math.max(...severities.map(([, n]) => n));
  lines.push(table(['Severity', 'Vulnerabilities', ''], severities.map(([name, n]) => [name, n, bar(n, max)])), '');
  const info = analysis.violations.length - counts.policyViolationFail - counts.policyViolationWarn;
  lines.push(`Policy violations: **${counts.policyViolationFail}** FAIL, **${counts.policyViolationWarn}** WARN, **${info}** INFO.`, '');
  if (analysis.violations.length) {
    const shown = sortViolations(analysis.violations).slice(0, VIOLATION_ROWS);
    lines.push(table(['State', 'Policy', 'Component', 'Type'], shown.map((v) => [v.state, v.policy, v.component, v.type])), '');
    if (analysis.violations.length > shown.length) lines.push(`… and ${analysis.violations.length - shown.length} more in Dependency-Track.`, '');
  }
  return lines;
}
