// Installs Grype or Syft for a task (SPEC 2.1): resolve the version, find it in the tool
// cache or download it, verify its SHA-256 against the release's checksums file, extract and
// cache it atomically. Decisions live in the pure modules next to this file; download.ts and
// cache.ts do the I/O. The download path (tool-lib, typed-rest-client) is loaded only on a cache
// miss, which keeps a cache hit about as cheap as starting Node.
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from '../errors';
import { isFile } from '../files';
import { cacheLocation, CacheLocation, commitStagingDir, createStagingDir, findCachedBinary, removeStagingDir } from './cache';
import { listedChecksums } from './checksums';
import { archiveAssetName, checksumsAssetName, ReleasePlatform, resolvePlatform } from './platform';
import { HttpStatusError } from '../retry';
import { logLine, oneLine } from '../text';
import { defaultDownloadBase, latestReleaseUrl, parseRequestedVersion, versionFromTag } from './version';
import { PINNED_VERSIONS, ToolName } from './versions';

export interface InstallRequest {
  tool: ToolName;
  /** as typed; '' => pinned */
  version: string;
  downloadBaseUrl?: string;
  binaryPath?: string;
}

export interface InstalledTool {
  /** executable */
  path: string;
  /** resolved, without v; '' if unknown in binaryPath mode */
  version: string;
  fromCache: boolean;
}

export async function installTool(req: InstallRequest): Promise<InstalledTool> {
  const binaryPath = req.binaryPath?.trim();
  if (binaryPath) return useProvidedBinary(req.tool, binaryPath);

  const requested = parseRequestedVersion(req.tool, req.version);
  const mirrorBase = req.downloadBaseUrl?.trim().replace(/\/+$/, '');
  if (requested.kind === 'latest' && mirrorBase) {
    throw new UserError(
      `${req.tool} version 'latest' cannot be resolved from the mirror ${mirrorBase}: pin a version when using a mirror (for example ${PINNED_VERSIONS[req.tool]}).`,
    );
  }
  const platform = resolvePlatform(req.tool, process.platform, process.arch);
  const version = requested.kind === 'latest' ? await resolveLatestVersion(req.tool) : requested.version;

  // The cache is keyed by Node's arch name (x64, arm64) as tool-lib does, so findLocalTool(tool, ver) finds it.
  const location = cacheLocation(toolsDirectory(), req.tool, version, process.arch);
  const cached = findCachedBinary(location, platform.binaryName);
  if (cached) {
    logLine(`Using ${req.tool} ${version} from the tool cache: ${cached}`);
    return { path: cached, version, fromCache: true };
  }
  logLine(`${req.tool} ${version} is not in the tool cache; downloading it.`);
  const path = await downloadVerifyAndCache(req.tool, version, platform, mirrorBase || defaultDownloadBase(req.tool), location);
  return { path, version, fromCache: false };
}

function useProvidedBinary(tool: ToolName, binaryPath: string): InstalledTool {
  const fix = `Set binaryPath to the full path of an installed ${tool} executable, or leave it empty to download ${tool}.`;
  if (!existsSync(binaryPath)) throw new UserError(`binaryPath '${binaryPath}' does not exist. ${fix}`);
  if (!isFile(binaryPath)) throw new UserError(`binaryPath '${binaryPath}' is not a file. ${fix}`);
  if (process.platform !== 'win32') {
    try {
      accessSync(binaryPath, constants.X_OK);
    } catch {
      throw new UserError(`binaryPath '${binaryPath}' is not executable. Run 'chmod +x ${binaryPath}' on the agent, or: ${fix}`);
    }
  }
  logLine(`Using ${tool} from binaryPath: ${binaryPath} (nothing downloaded).`);
  return { path: binaryPath, version: '', fromCache: false };
}

async function resolveLatestVersion(tool: ToolName): Promise<string> {
  const { fetchLatestReleaseTag } = await import('./download');
  const url = latestReleaseUrl(tool);
  const tag = await fetchLatestReleaseTag(url);
  const version = versionFromTag(tag);
  if (!version) throw new UserError(`${url} pointed at '${tag}', which is not a release version. Pin a ${tool} version instead of 'latest'.`);
  logLine(`'latest' resolved to ${tool} ${version}. Pinning a version is safer: builds stay reproducible and do not change when Anchore releases.`);
  return version;
}

function toolsDirectory(): string {
  const dir = tl.getVariable('Agent.ToolsDirectory');
  if (!dir) throw new UserError('Agent.ToolsDirectory is not set: this task must run on an Azure Pipelines agent (or set binaryPath).');
  return dir;
}

async function downloadVerifyAndCache(tool: ToolName, version: string, platform: ReleasePlatform, base: string, location: CacheLocation): Promise<string> {
  const { downloadFile, downloadText } = await import('./download');
  const assetName = archiveAssetName(tool, version, platform);
  const archiveUrl = `${base}/v${version}/${assetName}`;
  const checksumsUrl = `${base}/v${version}/${checksumsAssetName(tool, version)}`;
  const release = `${tool} ${version} for ${platform.os}/${platform.arch}`;

  // Checksums first: without them the archive cannot be trusted, so do not spend time downloading it.
  let checksumsText: string;
  try {
    checksumsText = await downloadText(checksumsUrl);
  } catch (error) {
    throw asUserError(
      error,
      `The checksums file ${checksumsUrl} is missing (HTTP 404), so ${release} (${archiveUrl}) cannot be verified and was not installed. ` +
        `Check that ${tool} ${version} exists (https://github.com/anchore/${tool}/releases); a mirror must serve ${checksumsAssetName(tool, version)} next to the archives.`,
    );
  }
  const listed = listedChecksums(checksumsText, assetName);
  if (listed.length === 0) {
    throw new UserError(`The checksums file ${checksumsUrl} has no line for ${assetName}, so ${archiveUrl} cannot be verified and was not installed. Check that the mirror serves the release's original checksums file.`);
  }
  if (listed.length > 1) {
    throw new UserError(
      `The checksums file ${checksumsUrl} lists ${assetName} ${listed.length} times with different SHA-256 values (${listed.join(', ')}), so ${archiveUrl} cannot be verified and was not installed. ` +
        `The file was altered or corrupted: check that the mirror or proxy serves the release's original checksums file.`,
    );
  }
  const expectedSha256 = listed[0];

  // A private dir (mkdtemp: unpredictable name, mode 0700), so outside an agent, where this is
  // os.tmpdir(), no other user can plant or read the archive.
  const tempRoot = tl.getVariable('Agent.TempDirectory') || tmpdir();
  let downloadDir: string;
  try {
    downloadDir = mkdtempSync(join(tempRoot, `${tool}-download-`));
  } catch (error) {
    throw unwritableDirectory(error, tempRoot, "the agent's temp directory (Agent.TempDirectory)", tool);
  }
  const archivePath = join(downloadDir, assetName);
  logLine(`Downloading ${archiveUrl}`);
  let actualSha256: string;
  try {
    try {
      actualSha256 = await downloadFile(archiveUrl, archivePath);
    } catch (error) {
      throw asUserError(
        error,
        `The archive ${archiveUrl} was not found (HTTP 404): there is no ${release} there. ` +
          `Check the version (https://github.com/anchore/${tool}/releases) and, if you use a mirror, that it holds this release.`,
      );
    }
    if (actualSha256 !== expectedSha256) {
      throw new UserError(
        `SHA-256 mismatch for ${archiveUrl}: the checksums file ${checksumsUrl} lists ${expectedSha256}, the downloaded archive has ${actualSha256}. ` +
          `The download was corrupted or the release was altered; nothing was installed. Retry, and if it persists check the mirror or proxy.`,
      );
    }
    logLine(`Verified SHA-256 ${actualSha256} of ${assetName} against ${checksumsUrl}`);
    return await extractIntoCache(archivePath, archiveUrl, platform, location, tool, version);
  } finally {
    rmSync(downloadDir, { recursive: true, force: true });
  }
}

/** HTTP statuses as errors the user can act on: 404 gets its own message, others the URL and a hint. */
function asUserError(error: unknown, notFoundMessage: string): unknown {
  if (error instanceof HttpStatusError) {
    if (error.status === 404) return new UserError(notFoundMessage);
    return new UserError(`Downloading ${error.url} failed with HTTP ${error.status}. Check the URL, the mirror's access rules and the agent's proxy, then run the pipeline again.`);
  }
  return error;
}

/** Codes of a directory the agent cannot create or write into (not a bug: the agent's setup). */
const UNWRITABLE_CODES = ['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'ENOSPC', 'EEXIST', 'EDQUOT'];

/** An fs error while creating or writing under `dir` as a UserError saying what to fix; anything else unchanged. */
function unwritableDirectory(error: unknown, dir: string, what: string, tool: ToolName): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code || !UNWRITABLE_CODES.includes(code)) return error;
  const reason = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of its path is a file, not a folder' : code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full' : 'the agent has no write access there';
  return new UserError(
    `${tool} cannot be installed: ${what} ${dir} cannot be written (${code}: ${reason}). ` +
      `Fix that folder on the agent (or the agent's configuration of it), or install ${tool} yourself and set binaryPath.`,
  );
}

async function extractIntoCache(archivePath: string, archiveUrl: string, platform: ReleasePlatform, location: CacheLocation, tool: ToolName, version: string): Promise<string> {
  const toolLib = await import('azure-pipelines-tool-lib/tool');
  const toolsDir = "the agent's tools directory (Agent.ToolsDirectory)";
  let stagingDir: string;
  try {
    stagingDir = createStagingDir(location, version);
  } catch (error) {
    throw unwritableDirectory(error, dirname(dirname(location.stagingRoot)), toolsDir, tool);
  }
  try {
    try {
      if (platform.archiveExtension === 'zip') await toolLib.extractZip(archivePath, stagingDir);
      else await toolLib.extractTar(archivePath, stagingDir);
    } catch (error) {
      throw new UserError(
        `${archiveUrl} matches its checksum but cannot be extracted as a .${platform.archiveExtension} archive (${oneLine((error as Error).message)}); nothing was installed. ` +
          `The release (or the mirror's copy of it, together with its checksums file) is not Anchore's original ${platform.archiveExtension} archive: ` +
          `check the mirror, or set downloadBaseUrl to one that serves the original release files.`,
      );
    }
    const stagedBinary = join(stagingDir, platform.binaryName);
    if (!isFile(stagedBinary)) throw new UserError(`The ${tool} ${version} archive does not contain ${platform.binaryName} at its root; nothing was installed. Check the mirror serves Anchore's original release archives.`);
    if (process.platform !== 'win32') chmodSync(stagedBinary, 0o755);
    let committed: { binaryPath: string; committedByOther: boolean };
    try {
      committed = await commitStagingDir(location, stagingDir, platform.binaryName);
    } catch (error) {
      throw unwritableDirectory(error, dirname(dirname(location.stagingRoot)), toolsDir, tool);
    }
    logLine(
      committed.committedByOther
        ? `Another job installed ${tool} ${version} into the tool cache at the same time; using its copy: ${committed.binaryPath}`
        : `Cached ${tool} ${version} at ${location.entryDir}`,
    );
    return committed.binaryPath;
  } catch (error) {
    removeStagingDir(stagingDir);
    throw error;
  }
}
