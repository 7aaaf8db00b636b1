// I/O adapter: the tool cache, in tool-lib's layout (`<tools>/<tool>/<ver>/<arch>/` plus the
// `<arch>.complete` marker, so `toolLib.findLocalTool` finds our entries), filled atomically and
// without a lock: extraction happens in a private staging dir on the same file system, the whole
// staging dir is renamed into place, and only then is the marker written. So the entry dir is
// only ever absent or a complete extraction of the verified archive; a killed process leaves at
// most a staging dir or an unmarked entry, and neither is used until marked.
//
// No lock, on purpose: a lock file's staleness can only be judged by PID or age, and PIDs mean
// nothing across PID namespaces (containers sharing a tools directory). Concurrent installs race
// on the rename instead; the loser waits for the winner's marker and uses its entry.
import { isFile } from '../files';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface CacheLocation {
  /** `<tools>/<tool>/<ver>/<arch>`: the entry tool-lib's findLocalTool returns */
  entryDir: string;
  /** `<entryDir>.complete`: present only once entryDir is whole */
  markerPath: string;
  /** `<tools>/<tool>/.staging`: not a version name, so tool-lib ignores it */
  stagingRoot: string;
}

export function cacheLocation(toolsDirectory: string, tool: string, version: string, cacheArch: string): CacheLocation {
  const entryDir = join(toolsDirectory, tool, version, cacheArch);
  return {
    entryDir,
    markerPath: `${entryDir}.complete`,
    stagingRoot: join(toolsDirectory, tool, '.staging'),
  };
}

/** The cached executable, if the entry is marked complete and holds it. */
export function findCachedBinary(location: CacheLocation, binaryName: string): string | undefined {
  const binary = join(location.entryDir, binaryName);
  return existsSync(location.markerPath) && isFile(binary) ? binary : undefined;
}

/** Staging dirs older than this belong to killed runs (an install takes seconds to minutes). */
const ABANDONED_STAGING_AGE_MS = 60 * 60 * 1000;

/** A fresh, empty dir to extract into, on the same file system as the entry. Also sweeps dirs abandoned by killed runs. */
export function createStagingDir(location: CacheLocation, version: string): string {
  mkdirSync(location.stagingRoot, { recursive: true });
  for (const name of readdirSync(location.stagingRoot)) {
    const path = join(location.stagingRoot, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > ABANDONED_STAGING_AGE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process swept it first
    }
  }
  return mkdtempSync(join(location.stagingRoot, `${version}-`));
}

export function removeStagingDir(stagingDir: string): void {
  rmSync(stagingDir, { recursive: true, force: true });
}

/**
 * How long a process that lost the rename waits for the winner's marker. The winner writes it
 * right after its rename, so this is only reached when the entry was left unmarked by a killed
 * process; replacing it then is safe even if its owner was merely slow, since every entry is a
 * complete extraction of the same verified archive.
 */
const MARKER_WAIT_MS = 3000;
const MARKER_POLL_MS = 25;

/** rename(2) onto an existing, non-empty dir: ENOTEMPTY/EEXIST on POSIX, EPERM/EACCES on Windows. */
function entryIsTaken(error: unknown): boolean {
  return ['ENOTEMPTY', 'EEXIST', 'EPERM', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '');
}

function writeMarker(location: CacheLocation): void {
  try {
    closeSync(openSync(location.markerPath, 'wx'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // marked already: by a winner, for a complete entry
  }
}

/**
 * Moves a fully extracted staging dir into the cache. If another process committed the same
 * entry first, its entry is used once marked and ours discarded (both are the same verified
 * archive). Returns the executable's path in the cache.
 */
export async function commitStagingDir(location: CacheLocation, stagingDir: string, binaryName: string): Promise<{ binaryPath: string; committedByOther: boolean }> {
  mkdirSync(dirname(location.entryDir), { recursive: true });
  const binaryPath = join(location.entryDir, binaryName);
  const useOthers = () => {
    removeStagingDir(stagingDir);
    return { binaryPath, committedByOther: true };
  };
  if (findCachedBinary(location, binaryName)) return useOthers();
  try {
    renameSync(stagingDir, location.entryDir);
  } catch (error) {
    if (!entryIsTaken(error)) throw error;
    // Another process's entry is in place: wait for its marker.
    const deadline = Date.now() + MARKER_WAIT_MS;
    while (Date.now() < deadline) {
      if (findCachedBinary(location, binaryName)) return useOthers();
      await new Promise((resolve) => setTimeout(resolve, MARKER_POLL_MS));
    }
    if (findCachedBinary(location, binaryName)) return useOthers();
    // Still unmarked: the remains of a killed install. Move them aside (atomic; of several
    // processes doing this, each moves whatever is there) and put ours in their place.
    try {
      const aside = mkdtempSync(join(location.stagingRoot, 'unmarked-'));
      renameSync(location.entryDir, join(aside, 'entry'));
      rmSync(aside, { recursive: true, force: true });
    } catch (moveError) {
      if ((moveError as NodeJS.ErrnoException).code !== 'ENOENT') throw moveError; // ENOENT: another process moved them first
    }
    try {
      renameSync(stagingDir, location.entryDir);
    } catch (retryError) {
      if (!entryIsTaken(retryError)) throw retryError;
      // Yet another process put its complete entry in meanwhile: mark and use it.
      writeMarker(location);
      return useOthers();
    }
  }
  writeMarker(location);
  return { binaryPath, committedByOther: false };
}
