/** The tools this installer knows. */
export type ToolName = 'grype' | 'syft';

/**
 * The versions installed when the pipeline leaves the version input empty.
 * The one place to bump them; anchore/scan-action and anchore/sbom-action pin the same releases.
 */
export const PINNED_VERSIONS: Readonly<Record<ToolName, string>> = {
  grype: '0.122.0',
  syft: '1.57.2',
};
