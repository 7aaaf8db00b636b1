// Pure: which release asset fits the machine. Names follow Anchore's goreleaser layout
// `<tool>_<ver>_<os>_<arch>.tar.gz` (`.zip` on Windows, binary `<tool>.exe`).
import { UserError } from '../errors';
import { ToolName } from './versions';

export interface ReleasePlatform {
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64' | 'ppc64le' | 's390x';
  archiveExtension: 'tar.gz' | 'zip';
  /** file name of the executable inside the archive */
  binaryName: string;
}

const OS_BY_NODE_PLATFORM: Partial<Record<string, ReleasePlatform['os']>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
};

const ARCH_BY_NODE_ARCH: Partial<Record<string, ReleasePlatform['arch']>> = {
  x64: 'amd64',
  arm64: 'arm64',
  ppc64: 'ppc64le', // Node reports little-endian POWER as ppc64 on Linux
  s390x: 's390x',
};

/** Release builds published by Anchore, per tool. */
const PUBLISHED_BUILDS: Record<ToolName, readonly string[]> = {
  grype: ['linux/amd64', 'linux/arm64', 'linux/ppc64le', 'linux/s390x', 'darwin/amd64', 'darwin/arm64', 'windows/amd64'],
  syft: ['linux/amd64', 'linux/arm64', 'linux/ppc64le', 'linux/s390x', 'darwin/amd64', 'darwin/arm64', 'windows/amd64', 'windows/arm64'],
};

/** Maps Node's `process.platform` / `process.arch` to the release build of `tool`; throws UserError when there is none. */
export function resolvePlatform(tool: ToolName, nodePlatform: string, nodeArch: string): ReleasePlatform {
  const os = OS_BY_NODE_PLATFORM[nodePlatform];
  const arch = ARCH_BY_NODE_ARCH[nodeArch];
  if (!os || !arch || !PUBLISHED_BUILDS[tool].includes(`${os}/${arch}`)) {
    const builds = PUBLISHED_BUILDS[tool].join(', ');
    throw new UserError(
      `${tool} has no release build for this agent's platform ${nodePlatform}/${nodeArch}. ` +
        `Builds exist for: ${builds}. Run the task on a supported agent, or install ${tool} yourself and set binaryPath.`,
    );
  }
  return os === 'windows'
    ? { os, arch, archiveExtension: 'zip', binaryName: `${tool}.exe` }
    : { os, arch, archiveExtension: 'tar.gz', binaryName: tool };
}

export function archiveAssetName(tool: ToolName, version: string, platform: ReleasePlatform): string {
  return `${tool}_${version}_${platform.os}_${platform.arch}.${platform.archiveExtension}`;
}

export function checksumsAssetName(tool: ToolName, version: string): string {
  return `${tool}_${version}_checksums.txt`;
}
