// Pure: what the user typed into the version input, and the URLs that follow from it.
import { UserError } from '../errors';
import { PINNED_VERSIONS, ToolName } from './versions';

export type RequestedVersion = { kind: 'exact'; version: string } | { kind: 'latest' };

const EXACT_VERSION = /^v?(\d+\.\d+\.\d+)$/;

/** `1.2.3`, `v1.2.3`, `latest` (any case); empty means the pinned default. Anything else is a UserError. */
export function parseRequestedVersion(tool: ToolName, input: string): RequestedVersion {
  const trimmed = input.trim();
  if (trimmed === '') return { kind: 'exact', version: PINNED_VERSIONS[tool] };
  if (trimmed.toLowerCase() === 'latest') return { kind: 'latest' };
  const match = EXACT_VERSION.exec(trimmed);
  if (!match) {
    throw new UserError(
      `The ${tool} version '${input}' is not a release version. ` +
        `Use an exact version such as ${PINNED_VERSIONS[tool]} (or v${PINNED_VERSIONS[tool]}), 'latest', or leave it empty for the pinned default.`,
    );
  }
  return { kind: 'exact', version: match[1] };
}

/** The version in a release tag or tag URL (`v1.2.3`, `.../releases/tag/v1.2.3`), or undefined. */
export function versionFromTag(tagOrUrl: string): string | undefined {
  const match = /(?:^|\/)v?(\d+\.\d+\.\d+)\/?$/.exec(tagOrUrl.trim());
  return match?.[1];
}

const GITHUB = 'https://github.com';

export function latestReleaseUrl(tool: ToolName): string {
  return `${GITHUB}/anchore/${tool}/releases/latest`;
}

export function defaultDownloadBase(tool: ToolName): string {
  return `${GITHUB}/anchore/${tool}/releases/download`;
}
